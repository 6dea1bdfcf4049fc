"""Imported first by every benchmark: sys.path with the project root first and bench/ last.

Run as a script (`python bench/queue.py`), a benchmark has bench/ first on sys.path, where
bench/queue.py would shadow the standard library's `queue` (concurrent.futures, hence Django,
imports it). bench/ stays on the path, last, so that the standard library wins and the helpers
here (pgscratch.py) can still be imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

sys.path[:] = [
    str(ROOT),
    *(p for p in sys.path if Path(p or ".").resolve() not in {BENCH, ROOT}),
    str(BENCH),
]
