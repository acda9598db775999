"""The candidate index in front of Splink: which master records to score.

A master record is a candidate for a request when the two share a key of one
of ``settings.KEY_RULES`` (TIN; given+surname in either order with birth year
or with a ZIP held; birth date with a name token; house+street+ZIP of any
address held). The master's keys are built once by ``master_index`` and stored
sorted; a request's keys are computed by the same SQL.

Two ways to the same set:

- ``batch_pairs``: a hash join of all requests' keys with the master's keys;
- ``single_pairs``: one request's dozen keys looked up through the keys' ART
  index (a few milliseconds against a 10-million-taxpayer index, no scan).

Both give exactly the pairs sharing at least one key, so a request alone and a
request in a batch are scored against the same candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb
import pyarrow as pa

from ..normalise.records import NORM_COLUMNS, NORM_TYPES
from .master_index import MODEL_COLUMNS, request_keys_sql
from .port import JOIN_SEPARATOR, MASTER_DATASET, REQUEST_DATASET
from .settings import HISTORY_COLUMNS, KEY_RULES

#: the master side as the engine sees it
MASTER_MODEL_VIEW = "master_model"


def create_master_model_view(con: duckdb.DuckDBPyConnection, schema: str = "m") -> None:
    cols = ", ".join(MODEL_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {MASTER_MODEL_VIEW} AS SELECT {cols} "
                f"FROM {schema}.persons")


def create_request_model_table(con: duckdb.DuckDBPyConnection, norm: str, out: str,
                               schema: str = "m", source_dataset: str | None = None) -> None:
    """The requests in the engine's layout: no address history (empty ``hist_*``),
    the master's name frequencies (and a ``source_dataset`` column if given)."""
    def col(c: str) -> str:
        if c in HISTORY_COLUMNS:
            return f"[]::VARCHAR[] AS {c}"
        if c == "tf_given":
            return "tg.tf_given"
        if c == "tf_family":
            return "tf.tf_family"
        return f"q.{c}"

    extra = f", '{source_dataset}' AS source_dataset" if source_dataset else ""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT {", ".join(col(c) for c in MODEL_COLUMNS)}{extra}
        FROM {norm} q
        LEFT JOIN {schema}.tf_given tg ON tg.given = q.given
        LEFT JOIN {schema}.tf_family tf ON tf.family = q.family
    """)


def _pairs_select(src: str, match_key: str = "array_to_string(rules, ',')") -> str:
    return (
        f"SELECT '{REQUEST_DATASET}{JOIN_SEPARATOR}' || rid AS join_key_l, "
        f"'{MASTER_DATASET}{JOIN_SEPARATOR}' || mid AS join_key_r, "
        f"{match_key} AS match_key, rid, mid FROM {src}"
    )


def _rule_bits_sql(column: str) -> str:
    """SQL: the bit of a rule name (its place in ``KEY_RULES``)."""
    whens = " ".join(f"WHEN '{r.name}' THEN {1 << i}" for i, r in enumerate(KEY_RULES))
    return f"CASE {column} {whens} END"


def _rule_names_sql() -> str:
    """SQL: ``(bits, match_key)`` for every non-empty set of rules, its names sorted
    and comma-joined (the form ``single_pairs`` gives)."""
    names = [r.name for r in KEY_RULES]
    rows = []
    for bits in range(1, 1 << len(names)):
        key = ",".join(sorted(n for i, n in enumerate(names) if bits >> i & 1))
        rows.append(f"({bits}, '{key}')")
    return f"(SELECT * FROM (VALUES {', '.join(rows)}) v(bits, match_key))"


def batch_pairs(con: duckdb.DuckDBPyConnection, requests: str, out: str,
                schema: str = "m") -> int:
    """Table ``out`` of candidate pairs for every request in ``requests``; returns the count.

    The rules that found a pair are gathered as bits (a request may spell one key
    several ways; OR-ing bits needs no DISTINCT) and named once per set."""
    found = f"""(
        SELECT rk.uid AS rid, mk.uid AS mid, bit_or({_rule_bits_sql('rk.rule')}) AS bits
        FROM ({request_keys_sql(requests, side='request')}) rk JOIN {schema}.keys mk ON mk.k = rk.k
        GROUP BY rk.uid, mk.uid
    ) f JOIN {_rule_names_sql()} n USING (bits)"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS {_pairs_select(found, 'n.match_key')}")
    return int(con.execute(f"SELECT count(*) FROM {out}").fetchall()[0][0])


def create_one_request_table(con: duckdb.DuckDBPyConnection, norm: dict[str, Any], out_norm: str,
                             out_model: str, *, source_dataset: str, schema: str = "m") -> None:
    """Tables ``out_norm`` (normalised columns) and ``out_model`` (engine layout plus
    ``source_dataset``, as the engine's real-time path wants it) for one request
    normalised by ``normalise_record``."""
    cols = ["uid", *NORM_COLUMNS]
    types = {"uid": "VARCHAR", **NORM_TYPES}
    select = ", ".join(f"?::{types[c]} AS {c}" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out_norm} AS SELECT {select}",
                [norm[c] for c in cols])
    create_request_model_table(con, out_norm, out_model, schema=schema,
                               source_dataset=source_dataset)


def _uid_in(mids: Sequence[str]) -> str:
    if not mids:
        return "FALSE"
    return "uid IN (" + ", ".join("'" + m.replace("'", "''") + "'" for m in mids) + ")"


class ParallelFetcher:
    """Fetches many candidates' master rows on several cursors at once.

    Reading a row through the ART index costs about a fifth of a millisecond
    (each of ~20 compressed columns is decoded for it); a request with a common
    name has a few hundred candidates, so its fetch was most of its time (85 of
    140 ms at 10M). Halves on two cursors — DuckDB runs them side by side, the
    GIL released — take about half as long. Small sets stay on one query."""

    def __init__(self, con: duckdb.DuckDBPyConnection, workers: int = 2,
                 min_rows: int = 64) -> None:
        self.min_rows = min_rows
        self._cursors = [con.cursor() for _ in range(workers)]
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dgw-fetch")

    def fetch(self, mids: Sequence[str], schema: str = "m") -> pa.Table:
        cols = ", ".join(MODEL_COLUMNS) + ", residents"
        n = len(self._cursors)
        parts = [list(mids[i::n]) for i in range(n)]

        def one(cur: duckdb.DuckDBPyConnection, part: list[str]) -> pa.Table:
            return cur.sql(f"SELECT {cols} FROM {schema}.persons WHERE {_uid_in(part)}"
                           ).to_arrow_table()

        tables = list(self._pool.map(one, self._cursors, parts))
        return pa.concat_tables(tables)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for cur in self._cursors:
            cur.close()


def single_pairs(con: duckdb.DuckDBPyConnection, request: str, out: str, candidates: str,
                 schema: str = "m", fetcher: ParallelFetcher | None = None) -> int:
    """Pairs for the one request in ``request`` and its candidates' master rows
    (table ``candidates``, engine layout plus ``source_dataset``); returns the
    number of candidates. Literal key and uid lists let DuckDB use the tables' ART
    indexes, so nothing is scanned; many candidates are read by ``fetcher``."""
    key_rows = con.execute(
        f"SELECT DISTINCT k, uid, rule FROM ({request_keys_sql(request, side='request')})"
    ).fetchall()
    cols = ", ".join(MODEL_COLUMNS) + f", residents, '{MASTER_DATASET}' AS source_dataset"
    if not key_rows:
        empty = "(SELECT NULL::VARCHAR AS rid, NULL::VARCHAR AS mid, []::VARCHAR[] AS rules LIMIT 0)"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS {_pairs_select(empty)}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {candidates} AS SELECT {cols} "
                    f"FROM {schema}.persons WHERE FALSE")
        return 0
    rid = str(key_rows[0][1]).replace("'", "''")
    in_list = ", ".join(str(int(k)) for k, _, _ in key_rows)
    rules = ", ".join(f"({int(k)}::UBIGINT, '{rule}')" for k, _, rule in key_rows)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        {_pairs_select(f'''(
            SELECT '{rid}' AS rid, mk.uid AS mid, list(DISTINCT rk.rule ORDER BY rk.rule) AS rules
            FROM (SELECT k, uid FROM {schema}.keys WHERE k IN ({in_list})) mk
            JOIN (VALUES {rules}) rk(k, rule) ON rk.k = mk.k
            GROUP BY mk.uid)''')}
    """)
    mids = [r[0] for r in con.execute(f"SELECT mid FROM {out} ORDER BY mid").fetchall()]
    if fetcher is not None and len(mids) >= fetcher.min_rows:
        rows = fetcher.fetch(mids, schema)
        con.register("_dgw_fetched", rows)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {candidates} AS SELECT {cols} "
                        f"FROM _dgw_fetched")
        finally:
            con.unregister("_dgw_fetched")
        return len(mids)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {candidates} AS SELECT {cols} "
                f"FROM {schema}.persons WHERE {_uid_in(mids)}")
    return len(mids)
