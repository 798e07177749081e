"""xir-bench: multilingual information retrieval evaluation (an MTEB plugin).

Data flows one way: load (``xir_bench.data``) -> collection -> encode
(``xir_bench.encoding``, cached) -> rank every setting (``xir_bench.ranking``) ->
metrics and bias (``xir_bench.metrics``) -> results (``xir_bench.results``).
"""

__version__ = "0.2.0"
