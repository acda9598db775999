"""The candidate index in front of Splink: which master records to score.

A master record is a candidate for a request when the two share a key of one
of ``settings.KEY_RULES`` (TIN; given+surname in either order with birth year
or with a ZIP held; birth date with a name token; house+street+ZIP of any
address held). The master's keys are built once by ``master_index`` and stored
sorted; a request's keys are computed by the same SQL.

Two ways to the same set:

- ``batch_pairs``: a hash join of all requests' keys with the master's keys;
- ``single_pairs``: one request's dozen keys looked up through DuckDB's zone maps
  (a few milliseconds against a 10-million-taxpayer index, no scan).

Both give exactly the pairs sharing at least one key, so a request alone and a
request in a batch are scored against the same candidates.
"""

from __future__ import annotations

import duckdb

from .master_index import MODEL_COLUMNS, request_keys_sql
from .port import JOIN_SEPARATOR, MASTER_DATASET, REQUEST_DATASET
from .settings import HISTORY_COLUMNS

#: the master side as the engine sees it
MASTER_MODEL_VIEW = "master_model"


def create_master_model_view(con: duckdb.DuckDBPyConnection, schema: str = "m") -> None:
    cols = ", ".join(MODEL_COLUMNS)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {MASTER_MODEL_VIEW} AS SELECT {cols} "
                f"FROM {schema}.persons")


def create_request_model_table(con: duckdb.DuckDBPyConnection, norm: str, out: str,
                               schema: str = "m") -> None:
    """The requests in the engine's layout: no address history (empty ``hist_*``),
    the master's name frequencies."""
    def col(c: str) -> str:
        if c in HISTORY_COLUMNS:
            return f"[]::VARCHAR[] AS {c}"
        if c == "tf_given":
            return "tg.tf_given"
        if c == "tf_family":
            return "tf.tf_family"
        return f"q.{c}"

    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT {", ".join(col(c) for c in MODEL_COLUMNS)}
        FROM {norm} q
        LEFT JOIN {schema}.tf_given tg ON tg.given = q.given
        LEFT JOIN {schema}.tf_family tf ON tf.family = q.family
    """)


def _pairs_select(src: str) -> str:
    return (
        f"SELECT '{REQUEST_DATASET}{JOIN_SEPARATOR}' || rid AS join_key_l, "
        f"'{MASTER_DATASET}{JOIN_SEPARATOR}' || mid AS join_key_r, "
        f"array_to_string(rules, ',') AS match_key, rid, mid FROM {src}"
    )


def batch_pairs(con: duckdb.DuckDBPyConnection, requests: str, out: str,
                schema: str = "m") -> int:
    """Table ``out`` of candidate pairs for every request in ``requests``; returns the count."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _req_keys AS
        SELECT DISTINCT k, uid, rule FROM ({request_keys_sql(requests, side='request')})
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        {_pairs_select(f'''(
            SELECT rk.uid AS rid, mk.uid AS mid, list(DISTINCT rk.rule ORDER BY rk.rule) AS rules
            FROM _req_keys rk JOIN {schema}.keys mk ON mk.k = rk.k
            GROUP BY rk.uid, mk.uid)''')}
    """)
    con.execute("DROP TABLE _req_keys")
    return int(con.execute(f"SELECT count(*) FROM {out}").fetchall()[0][0])


def single_pairs(con: duckdb.DuckDBPyConnection, request: str, out: str, candidates: str,
                 schema: str = "m") -> int:
    """Pairs for the one request in ``request`` and its candidates' master rows
    (table ``candidates``, engine layout plus ``source_dataset``, as the engine's
    real-time path wants it); returns the number of candidates."""
    key_rows = con.execute(
        f"SELECT DISTINCT k, uid, rule FROM ({request_keys_sql(request, side='request')})"
    ).fetchall()
    if key_rows:
        # Literal IN list: DuckDB turns it into a zone-map filter on the sorted keys.
        in_list = ", ".join(str(int(k)) for k, _, _ in key_rows)
        hits = con.execute(
            f"SELECT k, uid FROM {schema}.keys WHERE k IN ({in_list})").fetchall()
    else:
        hits = []
    rules_of: dict[int, set[str]] = {}
    for k, _, rule in key_rows:
        rules_of.setdefault(int(k), set()).add(rule)
    rid = key_rows[0][1] if key_rows else None
    by_mid: dict[str, set[str]] = {}
    for k, mid in hits:
        by_mid.setdefault(mid, set()).update(rules_of.get(int(k), set()))
    rows = [(rid, mid, sorted(rules)) for mid, rules in sorted(by_mid.items())]
    con.execute("CREATE OR REPLACE TEMP TABLE _one_hits (rid VARCHAR, mid VARCHAR, "
                "rules VARCHAR[])")
    if rows:
        con.executemany("INSERT INTO _one_hits VALUES (?, ?, ?)", rows)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS {_pairs_select('_one_hits')}")
    cols = ", ".join(MODEL_COLUMNS) + f", '{MASTER_DATASET}' AS source_dataset"
    where = "FALSE"
    if by_mid:
        where = "uid IN (" + ", ".join("'" + m.replace("'", "''") + "'" for m in sorted(by_mid)) + ")"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {candidates} AS SELECT {cols} "
                f"FROM {schema}.persons WHERE {where}")
    return len(by_mid)
