from xir_bench.cli.main import console

console()
