"""xir-bench: multilingual information retrieval evaluation (an MTEB plugin).

Data flows one way: load (``xir_bench.data``) -> collection -> encode
(``xir_bench.models.encoding``, cached) -> rank every setting (``xir_bench.core.ranking``) ->
metrics and bias (``xir_bench.core.metrics``) -> results (``xir_bench.results.store``).
"""

__version__ = "0.2.0"
