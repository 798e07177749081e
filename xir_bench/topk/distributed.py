"""Corpus encoding sharded across a Ray cluster (optional extra: ``pip install xir-bench[distributed]``).

Each of ``workers`` Ray Data tasks runs :func:`~xir_bench.topk.store.encode_corpus`
with ``shard=(k, workers)``: it reads the corpus stream and encodes the chunks whose
index is ``k`` modulo ``workers`` into the shared store folder. Chunks are fixed
row ranges, so the union of the shards is exactly what one process writes, and an
interrupted job resumes like a single-process one (finished chunks are skipped).

Locally, ``ray.init()`` starts a cluster on 127.0.0.1. On a real cluster, start Ray
on every machine (``ray start --head`` on one, ``ray start --address HEAD:6379`` on
the others), put the corpus and the store folder on storage every node mounts at the
same path, and pass ``--ray-address auto`` (or ``ray://HEAD:10001`` from outside).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from xir_bench.errors import XirBenchError
from xir_bench.models.encoding import TextEncoder
from xir_bench.topk.store import CorpusStore, Manifest, Row, encode_corpus

#: Seconds to wait for a Ray head to answer before saying it cannot be reached.
CONNECT_TIMEOUT_S = 5.0


def check_reachable(address: str | None, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast on a ``HOST:PORT`` / ``ray://HOST:PORT`` address nothing answers on.

    ``ray.init`` itself keeps retrying an unreachable head for minutes; a TCP connect
    with a timeout tells the user in seconds. ``None``/``auto``/``local`` are left to Ray.
    """
    import socket
    from urllib.parse import urlsplit

    if address in (None, "", "auto", "local"):
        return
    target = urlsplit(address if "://" in address else f"ray://{address}")
    if target.hostname is None or target.port is None:
        raise XirBenchError(f"--ray-address {address!r}: expected HOST:PORT, ray://HOST:PORT, auto or local")
    try:
        socket.create_connection((target.hostname, target.port), timeout=timeout).close()
    except OSError as err:
        raise XirBenchError(
            f"no Ray cluster answers at {address} within {timeout:.0f} s ({err})\n"
            "  fix: start it (ray start --head) or check the address; omit --ray-address for a local one"
        ) from None


def _encode_shard(
    item: dict[str, Any],
    *,
    rows: Callable[[], Iterable[Row]],
    make_encoder: Callable[[], TextEncoder],
    folder: str,
    source: str,
    chunk_size: int,
    workers: int,
) -> dict[str, Any]:
    worker = int(item["worker"])
    store = CorpusStore(folder)
    encode_corpus(rows(), make_encoder(), store, source, chunk_size, shard=(worker, workers), progress=False)
    return {"worker": worker, "chunks": len([i for i in store.done() if i % workers == worker])}


def encode_corpus_distributed(
    rows: Callable[[], Iterable[Row]],
    make_encoder: Callable[[], TextEncoder],
    store: CorpusStore,
    source: str,
    chunk_size: int = 50_000,
    workers: int = 2,
    ray_address: str | None = None,
    cpus_per_worker: float = 1.0,
    encoder: TextEncoder | None = None,
    gpus_per_worker: float | None = None,
) -> CorpusStore:
    """Encode the corpus with ``workers`` Ray Data tasks into ``store``; returns the store.

    ``rows`` and ``make_encoder`` are called on the workers (they must be picklable,
    e.g. ``functools.partial`` of module-level functions); each worker loads its own model.
    ``encoder`` is the driver's copy, if it has one, used only to claim the store's
    manifest (otherwise one is built with ``make_encoder``). ``gpus_per_worker``: None
    asks for one GPU per worker when the cluster has GPUs (each worker's model then
    lands on its GPU), none otherwise.
    """
    try:
        import ray
    except ImportError as err:
        raise XirBenchError(
            "distributed encoding needs Ray: pip install 'xir-bench[distributed]' (or 'ray[data]')"
        ) from err
    started_here = not ray.is_initialized()
    if started_here:
        check_reachable(ray_address)
        ray.init(address=ray_address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        if gpus_per_worker is None:  # a GPU cluster encodes on its GPUs, a CPU one on its CPUs
            gpus_per_worker = 1.0 if ray.cluster_resources().get("GPU", 0) >= 1 else 0.0
        # the manifest is claimed once, by the driver, so workers never race to create it
        store.claim(Manifest.of(encoder or make_encoder(), chunk_size, source))
        task = partial(
            _encode_shard,
            rows=rows,
            make_encoder=make_encoder,
            folder=str(Path(store.folder).resolve()),
            source=source,
            chunk_size=chunk_size,
            workers=workers,
        )
        dataset = ray.data.from_items([{"worker": k} for k in range(workers)], override_num_blocks=workers)
        report = dataset.map(task, num_cpus=cpus_per_worker, num_gpus=gpus_per_worker, concurrency=workers).take_all()
    finally:
        if started_here:
            ray.shutdown()
    if sorted(r["worker"] for r in report) != list(range(workers)):
        raise XirBenchError(f"distributed encoding: only workers {report} reported back; rerun to resume")
    return store
