"""DuckDB connections for the linkage: one place that sets memory and threads.

The machine is shared; DuckDB's default (80% of RAM, every core) would starve
the rest. ``DGW_DUCKDB_MEMORY`` and ``DGW_DUCKDB_THREADS`` override the limits.
Spilling goes to a temporary directory beside the database (or the system's).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

DEFAULT_MEMORY = "8GB"


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
