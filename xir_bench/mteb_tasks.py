"""Kept so that ``import xir_bench.mteb_tasks`` (the README's MTEB snippet) keeps working.

The tasks live in :mod:`xir_bench.mteb_plugin.tasks`; importing this module registers them.
"""

from xir_bench.mteb_plugin.tasks import *  # noqa: F403
from xir_bench.mteb_plugin.tasks import MLQAR, XirMIRACL, XQuADR, benchmark, register  # noqa: F401
