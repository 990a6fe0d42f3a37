"""Every source loader by name: `innograph ingest NAME PATH` and `innograph demo` look them up here.

A loader turns a path into a `SourceBatch` (or raises `InvalidInput` before anything is written).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.agencies import load_agencies
from ingest.cordis import load_cordis
from ingest.csvsource import load_csv
from ingest.erdf import load_erdf
from ingest.interreg import load_interreg
from ingest.pipeline import SourceBatch
from ingest.registry import load_registry

Loader = Callable[[Path], SourceBatch]

LOADERS: dict[str, Loader] = {
    "registry": load_registry,
    "interreg": load_interreg,
    "cordis": load_cordis,
    "csv": load_csv,
    "agencies": load_agencies,
    "erdf": load_erdf,
}
