import sys

from xir_bench.cli import main

sys.exit(main())
