import sys

from xir_bench.cli.main import main

sys.exit(main())
