"""DuckDB connections for the linkage: one place that sets memory and threads.

The machine is shared; DuckDB's default (80% of RAM, every core) would starve
the rest. ``DGW_DUCKDB_MEMORY`` and ``DGW_DUCKDB_THREADS`` override the limits.
Spilling goes to a temporary directory beside the database (or the system's).

Against a master index the limit follows the master's size (``memory_for``):
DuckDB keeps pages it has read until the limit, so a fixed 8 GB let training on a
million taxpayers grow to 2.0 GiB where 1 GB of cache gave 1.2 GiB at about the
same speed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

DEFAULT_MEMORY = "8GB"
#: cache per million taxpayers in the master index, and the floor
MEMORY_PER_MILLION_GB = 1.0
MEMORY_FLOOR_GB = 1.0


def connect(path: Path | None) -> duckdb.DuckDBPyConnection:
    """A connection to ``path`` (``None``: in memory) with the gateway's limits."""
    con = duckdb.connect(str(path) if path else ":memory:")
    memory = os.environ.get("DGW_DUCKDB_MEMORY", DEFAULT_MEMORY)
    spill = (path.parent if path else Path(tempfile.gettempdir())) / "duckdb-spill"
    con.execute(f"SET memory_limit = '{memory}'")
    con.execute(f"SET temp_directory = '{str(spill).replace(chr(39), chr(39) * 2)}'")
    # Row order of intermediate results never matters here; not keeping it saves memory.
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    threads = os.environ.get("DGW_DUCKDB_THREADS")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def memory_for(persons: int) -> str:
    """The memory limit for work against a master of ``persons`` taxpayers: one GB
    per million, at least ``MEMORY_FLOOR_GB``, at most ``DEFAULT_MEMORY`` — unless
    ``DGW_DUCKDB_MEMORY`` says otherwise."""
    if "DGW_DUCKDB_MEMORY" in os.environ:
        return os.environ["DGW_DUCKDB_MEMORY"]
    cap = float(DEFAULT_MEMORY.removesuffix("GB"))
    gb = min(max(MEMORY_PER_MILLION_GB * persons / 1e6, MEMORY_FLOOR_GB), cap)
    return f"{gb:.1f}GB"
