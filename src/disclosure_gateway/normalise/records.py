"""The vectorised normaliser: names and addresses of millions of rows in DuckDB.

One function, ``normalise_table``, turns a relation with the linkage columns
(first/middle/last name, dob, tin, address lines, city, state, zip) into the
comparable columns ``NORM_COLUMNS``. It is used for the master file (10 million
taxpayers, several address rows each), for a batch of requests, and for a single
request (a one-row relation), so the two sides of every comparison are
normalised by the same code.

How it stays fast: the folding and the house-number / unit patterns of
``addresses.py`` and ``identifiers.py`` run as SQL (RE2) over every row; the
parts that need Python (accents beyond Latin-1, name parsing, nicknames, street
suffixes, irregular lines via ``usaddress``) run once per *distinct* value and
are joined back. A test holds this path and the scalar functions to the same
answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from ..contracts import LINKAGE_COLUMNS
from .addresses import (
    _FOLD_DROP,
    HOUSE_RE,
    LINE2_UNIT_RE,
    UNIT_RE,
    ZIP_RE,
    fold_line,
    normalise_city,
    normalise_state,
    normalise_zip,
    parse_irregular_line,
    parse_street,
)
from .identifiers import DOB_COMPACT_RE, DOB_ISO_RE, DOB_US_RE
from .names import fold, given_alts, normalise_suffix, parse_family, parse_given

#: the comparable columns every normalised table has (after ``uid`` and kept columns)
NORM_COLUMNS: tuple[str, ...] = (
    "given",
    "given_alts",
    "middle",
    "family",
    "family_tokens",
    "suffix",
    "dob",
    "tin",
    "house",
    "predir",
    "street",
    "street_suffix",
    "postdir",
    "unit",
    "city",
    "state",
    "zip5",
)

#: raw columns a source relation must have (any may hold nulls): the linkage
#: contract's person columns, shared by requests and the master file
SOURCE_COLUMNS: tuple[str, ...] = tuple(c for c in LINKAGE_COLUMNS if c != "record_id")

_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER")


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _fold_sql(col: str) -> str:
    """SQL twin of ``addresses.fold_line`` for ASCII text (non-ASCII goes to Python)."""
    return (
        f"trim(regexp_replace(regexp_replace(replace(upper({col}), '''', ''), "
        f"{_q(_FOLD_DROP)}, ' ', 'g'), ' +', ' ', 'g'))"
    )


def _ascii_sql(col: str) -> str:
    return f"regexp_matches({col}, '^[ -~]*$')"


def _unit_sql(col: str) -> str:
    """SQL twin of ``addresses.normalise_unit``."""
    u = f"replace({col}, '-', '')"
    return f"CASE WHEN {u} = '' THEN '' WHEN ltrim({u}, '0') = '' THEN '0' ELSE ltrim({u}, '0') END"


def _varchar(col: str, ctype: str, pad: int | None = None) -> str:
    if pad and ctype.upper() in _INTEGER_TYPES:
        return f"lpad(CAST({col} AS VARCHAR), {pad}, '0')"
    return f"CAST({col} AS VARCHAR)"


def _lookup(
    con: duckdb.DuckDBPyConnection,
    name: str,
    values_sql: str,
    fn: Callable[[str], Sequence[Any]],
    schema: pa.Schema,
) -> None:
    """View ``name``: each distinct value of ``values_sql`` and ``fn(value)`` (an Arrow
    table registered on the connection; ``_LOOKUPS`` lists them for clean-up)."""
    values = [r[0] for r in con.execute(values_sql).fetchall()]
    cols: list[list[Any]] = [values] + [[] for _ in range(len(schema) - 1)]
    for v in values:
        for i, x in enumerate(fn(v), start=1):
            cols[i].append(x)
    table = pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(cols, schema, strict=True)],
                                 schema=schema)
    con.register(name, table)


def _name_parts_first(v: str) -> tuple[str, str, str, list[str]]:
    given, more, suffix = parse_given(v)
    return given, more, suffix, list(given_alts(given))


def _name_parts_last(v: str) -> tuple[str, list[str], str]:
    family, tokens, suffix = parse_family(v)
    return family, list(tokens), suffix


_LOOKUPS = ("_lk_line", "_lk_street", "_lk_irregular", "_lk_first", "_lk_last", "_lk_middle",
            "_lk_suffix", "_lk_city", "_lk_state")

_S = pa.string()
_L = pa.list_(pa.string())


def normalise_table(
    con: duckdb.DuckDBPyConnection,
    source: str,
    target: str,
    *,
    uid: str,
    keep: Mapping[str, str] | None = None,
    suffix_col: str | None = None,
    temp: bool = False,
) -> None:
    """Create table ``target`` with ``uid``, the ``keep`` columns and ``NORM_COLUMNS``.

    ``source`` is a table or view name with ``SOURCE_COLUMNS``; ``uid`` an SQL
    expression that identifies a row (cast to VARCHAR); ``keep`` maps output
    column names to SQL expressions over the source carried through unchanged;
    ``suffix_col`` an optional generational-suffix column (the master has one).
    """
    keep = dict(keep or {})
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {source}").fetchall()}
    missing = [c for c in SOURCE_COLUMNS if c not in types]
    if missing:
        raise ValueError(f"{source} lacks columns: {', '.join(missing)}")
    kept = "".join(f", {expr} AS {name}" for name, expr in keep.items())
    suffix_raw = f"CAST({suffix_col} AS VARCHAR)" if suffix_col else "NULL::VARCHAR"
    # Non-ASCII lines are folded by Python (unidecode), once per distinct value.
    _lookup(con, "_lk_line",
            f"SELECT DISTINCT v FROM (SELECT CAST(address_line1 AS VARCHAR) AS v FROM {source} "
            f"UNION ALL SELECT CAST(address_line2 AS VARCHAR) FROM {source}) "
            "WHERE v IS NOT NULL AND NOT " + _ascii_sql("v"),
            lambda v: (fold_line(v),), pa.schema([("v", _S), ("folded", _S)]))
    # Stage 1, per row: raw text, folded address lines and the pattern splits.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _norm_raw AS
        WITH s AS (
            SELECT CAST({uid} AS VARCHAR) AS uid{kept},
                   CAST(first_name AS VARCHAR) AS first_raw,
                   CAST(middle_name AS VARCHAR) AS middle_raw,
                   CAST(last_name AS VARCHAR) AS last_raw,
                   {suffix_raw} AS suffix_raw,
                   {_varchar('dob', types['dob'])} AS dob_raw,
                   {_varchar('tin', types['tin'], 9)} AS tin_raw,
                   CAST(address_line1 AS VARCHAR) AS l1_raw,
                   CAST(address_line2 AS VARCHAR) AS l2_raw,
                   CAST(city AS VARCHAR) AS city_raw,
                   CAST(state AS VARCHAR) AS state_raw,
                   {_varchar('zip', types['zip'], 5)} AS zip_raw
            FROM {source}
        ), f AS (
            SELECT s.* EXCLUDE (l1_raw, l2_raw),
                   coalesce(CASE WHEN {_ascii_sql('l1_raw')} THEN {_fold_sql('l1_raw')} END,
                            k1.folded, '') AS a1,
                   coalesce(CASE WHEN {_ascii_sql('l2_raw')} THEN {_fold_sql('l2_raw')} END,
                            k2.folded, '') AS a2
            FROM s
            LEFT JOIN _lk_line k1 ON k1.v = s.l1_raw
            LEFT JOIN _lk_line k2 ON k2.v = s.l2_raw
        ), h AS (
            SELECT *,
                   regexp_extract(a1, {_q(HOUSE_RE)}, ['num', 'letter', 'half', 'rest']) AS hm,
                   coalesce(nullif(regexp_extract(a2, {_q(LINE2_UNIT_RE)}, 1), ''),
                            regexp_extract(a2, {_q(LINE2_UNIT_RE)}, 2)) AS u2
            FROM f
        ), u AS (
            SELECT *, regexp_extract(hm.rest, {_q(UNIT_RE)}, ['rest', 'unit']) AS um FROM h
        )
        SELECT u.* EXCLUDE (hm, um, u2, a2),
               hm.num <> '' AS regular,
               CASE WHEN hm.num = '' THEN NULL ELSE
                   (CASE WHEN ltrim(hm.num, '0') = '' THEN '0' ELSE ltrim(hm.num, '0') END)
                   || (CASE WHEN regexp_matches(hm.letter, '^-[A-Z]$') THEN substr(hm.letter, 2)
                            ELSE hm.letter END)
                   || (CASE WHEN hm.half <> '' THEN '1/2' ELSE '' END) END AS house,
               CASE WHEN um.rest <> '' THEN um.rest ELSE hm.rest END AS street_part,
               {_unit_sql('um.unit')} AS unit1,
               {_unit_sql('u2')} AS unit2
        FROM u
    """)
    _lookup(con, "_lk_street",
            "SELECT DISTINCT street_part FROM _norm_raw WHERE regular",
            parse_street,
            pa.schema([("v", _S), ("predir", _S), ("street", _S), ("suffix", _S), ("postdir", _S)]))
    _lookup(con, "_lk_irregular",
            "SELECT DISTINCT a1 FROM _norm_raw WHERE NOT regular AND a1 <> ''",
            parse_irregular_line,
            pa.schema([("v", _S), ("house", _S), ("predir", _S), ("street", _S), ("suffix", _S),
                       ("postdir", _S), ("unit", _S)]))
    _lookup(con, "_lk_first", "SELECT DISTINCT first_raw FROM _norm_raw WHERE first_raw IS NOT NULL",
            _name_parts_first,
            pa.schema([("v", _S), ("given", _S), ("more", _S), ("suffix", _S), ("alts", _L)]))
    _lookup(con, "_lk_last", "SELECT DISTINCT last_raw FROM _norm_raw WHERE last_raw IS NOT NULL",
            _name_parts_last,
            pa.schema([("v", _S), ("family", _S), ("tokens", _L), ("suffix", _S)]))
    _lookup(con, "_lk_middle",
            "SELECT DISTINCT middle_raw FROM _norm_raw WHERE middle_raw IS NOT NULL",
            lambda v: (fold(v),), pa.schema([("v", _S), ("folded", _S)]))
    _lookup(con, "_lk_suffix",
            "SELECT DISTINCT suffix_raw FROM _norm_raw WHERE suffix_raw IS NOT NULL",
            lambda v: (normalise_suffix(v),), pa.schema([("v", _S), ("suffix", _S)]))
    _lookup(con, "_lk_city", "SELECT DISTINCT city_raw FROM _norm_raw WHERE city_raw IS NOT NULL",
            lambda v: (normalise_city(v),), pa.schema([("v", _S), ("city", _S)]))
    _lookup(con, "_lk_state",
            "SELECT DISTINCT state_raw FROM _norm_raw WHERE state_raw IS NOT NULL",
            lambda v: (normalise_state(v),), pa.schema([("v", _S), ("state", _S)]))

    kept_r = "".join(f", r.{k}" for k in keep)
    iso = f"regexp_extract(trim(r.dob_raw), {_q(DOB_ISO_RE)}, ['y', 'm', 'd'])"
    compact = f"regexp_extract(trim(r.dob_raw), {_q(DOB_COMPACT_RE)}, ['y', 'm', 'd'])"
    us = f"regexp_extract(trim(r.dob_raw), {_q(DOB_US_RE)}, ['m', 'd', 'y'])"
    tin_digits = "regexp_replace(r.tin_raw, '[^0-9]', '', 'g')"
    zipm = f"regexp_extract(replace({_fold_sql('r.zip_raw')}, ' ', ''), {_q(ZIP_RE)}, 1)"
    kind = "TEMP TABLE" if temp else "TABLE"
    con.execute(f"""
        CREATE OR REPLACE {kind} {target} AS
        WITH d AS (
            SELECT r.*, {iso} AS di, {compact} AS dc, {us} AS du FROM _norm_raw r
        ), r AS (
            SELECT d.*, CASE WHEN di.y <> '' THEN di WHEN dc.y <> '' THEN dc ELSE du END AS dm
            FROM d
        )
        SELECT r.uid{kept_r},
               nullif(kf.given, '') AS given,
               coalesce(kf.alts, [])::VARCHAR[] AS given_alts,
               nullif(concat_ws(' ', nullif(kf.more, ''), nullif(km.folded, '')), '') AS middle,
               nullif(kl.family, '') AS family,
               CASE WHEN len(kl.tokens) > 0 THEN kl.tokens END AS family_tokens,
               nullif(coalesce(nullif(ks.suffix, ''), nullif(kl.suffix, ''), kf.suffix), '')
                   AS suffix,
               CASE WHEN dm.y <> '' THEN dm.y || '-' || lpad(dm.m, 2, '0') || '-'
                    || lpad(dm.d, 2, '0') END AS dob,
               nullif({tin_digits}, '') AS tin,
               nullif(coalesce(r.house, ki.house), '') AS house,
               nullif(coalesce(kst.predir, ki.predir), '') AS predir,
               nullif(coalesce(kst.street, ki.street), '') AS street,
               nullif(coalesce(kst.suffix, ki.suffix), '') AS street_suffix,
               nullif(coalesce(kst.postdir, ki.postdir), '') AS postdir,
               nullif(coalesce(nullif(r.unit2, ''), nullif(r.unit1, ''), ki.unit), '') AS unit,
               nullif(kc.city, '') AS city,
               nullif(kt.state, '') AS state,
               CASE WHEN {zipm} <> '' THEN lpad({zipm}, 5, '0') END AS zip5
        FROM r
        LEFT JOIN _lk_street kst ON r.regular AND kst.v = r.street_part
        LEFT JOIN _lk_irregular ki ON NOT r.regular AND ki.v = r.a1
        LEFT JOIN _lk_first kf ON kf.v = r.first_raw
        LEFT JOIN _lk_last kl ON kl.v = r.last_raw
        LEFT JOIN _lk_middle km ON km.v = r.middle_raw
        LEFT JOIN _lk_suffix ks ON ks.v = r.suffix_raw
        LEFT JOIN _lk_city kc ON kc.v = r.city_raw
        LEFT JOIN _lk_state kt ON kt.v = r.state_raw
    """)
    con.execute("DROP TABLE IF EXISTS _norm_raw")
    for view in _LOOKUPS:
        con.unregister(view)


def normalise_record(record: Mapping[str, Any], *, suffix: Any = None) -> dict[str, Any]:
    """One record's ``NORM_COLUMNS`` by the scalar functions — what ``normalise_table``
    gives for a one-row table (a test holds the two to the same answers), without a
    dozen small queries: the interactive lane's normaliser. Empty parts are ``None``."""
    from .addresses import split_line
    from .identifiers import normalise_dob, normalise_tin
    from .names import parse_name

    def get(col: str) -> Any:
        v = record.get(col)
        if v is None:
            return None
        try:
            return None if bool(v != v) else v  # NaN
        except TypeError:  # pandas' NA refuses to be a bool
            return None

    def text(col: str) -> str | None:
        v = get(col)
        return None if v is None else str(v)

    name = parse_name(text("first_name"), text("middle_name"), text("last_name"),
                      None if suffix is None else str(suffix))
    house, pre, street, street_suffix, post, unit = split_line(text("address_line1"),
                                                               text("address_line2"))
    values: dict[str, Any] = {
        "given": name.given,
        "given_alts": list(name.given_alts),
        "middle": name.middle,
        "family": name.family,
        "family_tokens": list(name.family_tokens) or None,
        "suffix": name.suffix,
        "dob": normalise_dob(get("dob")),
        "tin": normalise_tin(get("tin")),
        "house": house,
        "predir": pre,
        "street": street,
        "street_suffix": street_suffix,
        "postdir": post,
        "unit": unit,
        "city": normalise_city(text("city")),
        "state": normalise_state(text("state")),
        "zip5": normalise_zip(text("zip")),
    }
    return {k: (v if v != "" else None) for k, v in values.items()}


#: DuckDB types of ``NORM_COLUMNS`` (to build a one-row table from ``normalise_record``)
NORM_TYPES: dict[str, str] = {c: "VARCHAR" for c in NORM_COLUMNS} | {
    "given_alts": "VARCHAR[]", "family_tokens": "VARCHAR[]"}
