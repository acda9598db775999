"""The master index: the taxpayer master file normalised and indexed in DuckDB.

``build_master_index`` reads a master file (one row per address held for a
taxpayer; the newest ``address_as_of`` is the last known address) and writes
``W/master/master.duckdb`` with:

- ``persons``: one row per taxpayer (indexed by TIN), the comparable columns of
  the newest row (its last known address), the earlier addresses as lists (``hist_*``), the
  raw last known address as held (what a disclosure would release) and how many
  taxpayers share that address (``residents``);
- ``keys``: the candidate keys of ``settings.KEY_RULES`` as 64-bit hashes, sorted
  and indexed (ART), so one request's keys are found without a scan; keys held
  by more than ``MAX_BLOCK_SIZE`` taxpayers are left out;
- ``tf_given``, ``tf_family``: name frequencies (term-frequency adjustment);
- ``meta``: counts, the source file's digest and the snapshot hash.

The build writes to a temporary file and renames it over the old index, so a
reader sees the old index or the new one, never half of one. The snapshot hash
binds the index to its source file, the normaliser and the key rules; it travels
with every decision made against it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..canonical import canonical_hash, file_sha256
from ..contracts import MASTER_COLUMNS
from ..errors import InputError
from ..normalise.records import NORM_COLUMNS, normalise_table
from . import settings as S
from .db import connect, memory_for

INDEX_FILE = "master.duckdb"
#: bump when the normalised layout changes (old indexes are then refused)
INDEX_FORMAT = 6

#: term-frequency columns (the master's name frequencies, carried on both sides so a
#: request scores the same alone or in a batch)
TF_COLUMNS: tuple[str, ...] = ("tf_given", "tf_family")

#: columns Splink sees on either side (requests get empty ``hist_*`` lists)
MODEL_COLUMNS: tuple[str, ...] = (S.UNIQUE_ID, *NORM_COLUMNS, *S.HISTORY_COLUMNS, *TF_COLUMNS)

#: raw columns of the last known row kept as held (for review and release)
RAW_KEEP: dict[str, str] = {
    "raw_first_name": "CAST(first_name AS VARCHAR)",
    "raw_middle_name": "CAST(middle_name AS VARCHAR)",
    "raw_last_name": "CAST(last_name AS VARCHAR)",
    "raw_dob": "CAST(dob AS VARCHAR)",
    "raw_address_line1": "CAST(address_line1 AS VARCHAR)",
    "raw_address_line2": "CAST(address_line2 AS VARCHAR)",
    "raw_city": "CAST(city AS VARCHAR)",
    "raw_state": "CAST(state AS VARCHAR)",
    "raw_zip": "CAST(zip AS VARCHAR)",
}

Progress = Callable[[str, int, int], None]


def _no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class MasterInfo:
    path: Path
    snapshot_hash: str
    rows: int
    persons: int
    keys: int
    dropped_keys: int
    source_sha256: str
    keys_hash: str
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "snapshot_hash": self.snapshot_hash,
            "rows": self.rows,
            "persons": self.persons,
            "keys": self.keys,
            "dropped_keys": self.dropped_keys,
            "source_sha256": self.source_sha256,
            "keys_hash": self.keys_hash,
            "seconds": round(self.seconds, 2),
        }


def index_path(master_dir: Path) -> Path:
    return master_dir / INDEX_FILE


def _source_sql(path: Path) -> str:
    p = str(path).replace("'", "''")
    suffix = path.suffix.lower()
    if suffix == ".parquet" or path.is_dir():
        return f"read_parquet('{p}')" if suffix == ".parquet" else f"read_parquet('{p}/*.parquet')"
    if suffix == ".csv":
        return f"read_csv('{p}', header = true, all_varchar = true)"
    raise InputError("master file must be .parquet or .csv", where=str(path))


def request_keys_sql(table: str, *, side: str) -> str:
    """SQL: ``(k, uid, rule)`` rows, every candidate key of every row of ``table``.

    ``side`` is ``"master"`` or ``"request"``: the request side may emit several
    spellings of one key (nicknames, swapped name order)."""
    parts = []
    for rule in S.KEY_RULES:
        expr = rule.master_sql if side == "master" else rule.request_sql
        parts.append(
            f"SELECT hash('{rule.name}:' || key) AS k, uid, '{rule.name}' AS rule "
            f"FROM (SELECT uid, unnest(list_filter({expr}, lambda x: x IS NOT NULL)) AS key FROM {table})"
        )
    return "\nUNION ALL\n".join(parts)


def build_master_index(
    source: Path,
    master_dir: Path,
    *,
    entity_column: str = "tin",
    progress: Progress = _no_progress,
) -> MasterInfo:
    """Normalise and index ``source`` into ``master_dir`` (replacing any index there)."""
    started = time.monotonic()
    if not source.exists():
        raise InputError("master file not found", where=str(source))
    master_dir.mkdir(parents=True, exist_ok=True)
    final = index_path(master_dir)
    tmp = final.with_name(final.name + f".tmp-{os.getpid()}")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    steps = ["digest", "read", "normalise", "persons", "keys", "finish"]
    total = len(steps)

    def step(i: int) -> None:
        progress(steps[i], i, total)

    step(0)
    source_sha = file_sha256(source) if source.is_file() else canonical_hash(
        sorted(file_sha256(p) for p in source.glob("*.parquet")))
    con = connect(tmp)
    try:
        step(1)
        con.execute(f"CREATE VIEW src AS SELECT * FROM {_source_sql(source)}")
        cols = {r[0] for r in con.execute("DESCRIBE src").fetchall()}
        needed = set(MASTER_COLUMNS) if entity_column == "tin" else {entity_column}
        needed |= {"first_name", "middle_name", "last_name", "dob", "tin", "address_line1",
                   "address_line2", "city", "state", "zip"}
        missing = sorted(needed - cols)
        if missing:
            raise InputError(f"master file lacks columns: {', '.join(missing)}", where=str(source))
        keep = dict(RAW_KEEP)
        keep["raw_suffix"] = "CAST(suffix AS VARCHAR)" if "suffix" in cols else "NULL::VARCHAR"
        keep["address_as_of"] = (
            "CAST(address_as_of AS VARCHAR)" if "address_as_of" in cols else "NULL::VARCHAR")
        keep["last_tax_year"] = (
            "CAST(last_tax_year AS INTEGER)" if "last_tax_year" in cols else "NULL::INTEGER")
        uid = (
            "regexp_replace(CAST(tin AS VARCHAR), '[^0-9]', '', 'g')"
            if entity_column == "tin" else f"CAST({entity_column} AS VARCHAR)"
        )
        step(2)
        normalise_table(con, "src", "m_rows", uid=uid, keep=keep,
                        suffix_col="suffix" if "suffix" in cols else None, temp=True)
        con.execute("DELETE FROM m_rows WHERE uid IS NULL OR uid = ''")
        step(3)
        _build_persons(con)
        step(4)
        dropped = _build_keys(con)
        step(5)
        rows = int(con.execute("SELECT count(*) FROM m_rows").fetchall()[0][0])
        persons = int(con.execute("SELECT count(*) FROM persons").fetchall()[0][0])
        keys = int(con.execute("SELECT count(*) FROM keys").fetchall()[0][0])
        con.execute("DROP TABLE m_rows")
        meta: dict[str, Any] = {
            "format": INDEX_FORMAT,
            "source_sha256": source_sha,
            "entity_column": entity_column,
            "rows": rows,
            "persons": persons,
            "keys": keys,
            "dropped_keys": dropped,
            "keys_hash": S.keys_hash(),
            "duckdb": duckdb.__version__,
        }
        # The snapshot binds content, not place or time: the same file loaded twice
        # gives the same snapshot.
        snapshot = canonical_hash(meta)
        meta["snapshot_hash"] = snapshot
        meta["source"] = str(source)
        meta["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        con.execute("CREATE TABLE meta (k VARCHAR, v VARCHAR)")
        con.executemany("INSERT INTO meta VALUES (?, ?)",
                        [(k, json.dumps(v)) for k, v in meta.items()])
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, final)
    progress("done", total, total)
    return MasterInfo(final, snapshot, rows, persons, keys, dropped, source_sha,
                      S.keys_hash(), time.monotonic() - started)


def _build_persons(con: duckdb.DuckDBPyConnection) -> None:
    """One row per taxpayer: the newest address row, earlier addresses as lists.

    One grouping pass: ``arg_max`` picks the newest row (ties broken by the
    address itself, so the choice is deterministic); a window over millions of
    wide rows would sort them all."""
    carried = [*NORM_COLUMNS, *RAW_KEEP, "raw_suffix", "address_as_of", "last_tax_year"]
    packed = ", ".join(f"{c} := {c}" for c in carried)
    newest = ("struct_pack(a := coalesce(address_as_of, ''), h := coalesce(house, ''), "
              "s := coalesce(street, ''), z := coalesce(zip5, ''), u := coalesce(unit, ''))")
    hist = {"hist_house": "house", "hist_street": "street", "hist_zip": "zip5"}
    con.execute(f"""
        CREATE TEMP TABLE m_last AS
        SELECT uid, arg_max(struct_pack({packed}), {newest}) AS r,
               {", ".join(f"list(DISTINCT {c}) FILTER (WHERE {c} IS NOT NULL) AS all_{c}"
                          for c in hist.values())},
               count(*) AS addresses_held
        FROM m_rows GROUP BY uid
    """)
    # Name frequencies among taxpayers (one per person, from the last known row).
    for col in ("given", "family"):
        con.execute(f"""
            CREATE TABLE tf_{col} AS
            SELECT {col}, count(*) / sum(count(*)) OVER () AS tf_{col}
            FROM (SELECT r.{col} AS {col} FROM m_last) WHERE {col} IS NOT NULL GROUP BY {col}
        """)
    # Earlier addresses: every value held except the last known one's (which the
    # comparisons' "last known" level already covers).
    earlier = ", ".join(
        f"coalesce(list_filter(all_{c}, lambda x: x IS DISTINCT FROM r.{c}), [])::VARCHAR[] "
        f"AS {h}" for h, c in hist.items())
    con.execute(f"""
        CREATE TABLE persons AS
        SELECT uid, {", ".join(f"r.{c} AS {c}" for c in NORM_COLUMNS)}, {earlier},
               tg.tf_given, tf.tf_family,
               {", ".join(f"r.{c} AS {c}" for c in carried[len(NORM_COLUMNS):])},
               addresses_held,
               -- taxpayers whose last known address this is (the household test's C)
               CASE WHEN r.house IS NULL OR r.street IS NULL THEN 1
                    ELSE count(*) OVER (PARTITION BY r.house, r.street, r.zip5) END AS residents
        FROM m_last
        LEFT JOIN tf_given tg ON tg.given = r.given
        LEFT JOIN tf_family tf ON tf.family = r.family
        ORDER BY uid
    """)
    # The single-request lane looks a few taxpayers up by TIN: an ART index answers
    # in a millisecond where a scan of the row groups took a hundred.
    con.execute("CREATE INDEX persons_uid ON persons (uid)")
    con.execute("DROP TABLE m_last")


def _build_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Sorted candidate keys; returns how many oversized keys were left out."""
    con.execute(f"""
        CREATE TEMP TABLE k_all AS
        SELECT DISTINCT k, uid FROM ({request_keys_sql('m_rows', side='master')})
    """)
    con.execute(f"""
        CREATE TEMP TABLE k_big AS
        SELECT k FROM k_all GROUP BY k HAVING count(*) > {S.MAX_BLOCK_SIZE}
    """)
    dropped = int(con.execute("SELECT count(*) FROM k_big").fetchall()[0][0])
    con.execute("""
        CREATE TABLE keys AS
        SELECT k, uid FROM k_all ANTI JOIN k_big USING (k) ORDER BY k
    """)
    con.execute("CREATE INDEX keys_k ON keys (k)")
    con.execute("DROP TABLE k_all")
    con.execute("DROP TABLE k_big")
    return dropped


def read_meta(con: duckdb.DuckDBPyConnection, schema: str = "m") -> dict[str, Any]:
    rows = con.execute(f"SELECT k, v FROM {schema}.meta").fetchall()
    return {k: json.loads(v) for k, v in rows}


def open_master(master_dir: Path) -> tuple[duckdb.DuckDBPyConnection, dict[str, Any]]:
    """An in-memory connection with the master index attached read-only as ``m``."""
    path = index_path(master_dir)
    if not path.exists():
        raise InputError("no master index; build one with `dgw master load`", where=str(master_dir))
    con = connect(None)
    con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS m (READ_ONLY)")
    meta = read_meta(con)
    if meta.get("format") != INDEX_FORMAT:
        raise InputError("master index has an old format; run `dgw master load` again",
                         where=str(path))
    if meta.get("keys_hash") != S.keys_hash():
        raise InputError("master index was built for other candidate keys; run "
                         "`dgw master load` again", where=str(path))
    con.execute(f"SET memory_limit = '{memory_for(int(meta.get('persons') or 0))}'")
    return con, meta
