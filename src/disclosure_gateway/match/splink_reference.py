"""Plain Splink, configured exactly as the linkage notes measured it: the reference
the gateway is compared with (``dgw eval``, ``benchmarks/bench_match.py``).

Never on the decision path: the gateway's own adapter is ``splink_duckdb``; this
module is the yardstick, so its configuration is the notes' and nothing of ours
(no normalisation beyond putting columns in the notes' shape, no guards, no
review):

- columns on both sides: ``first_name, last_name`` (as written, upper-cased),
  ``dob`` (``YYYY-MM-DD``), ``tin`` (digits as given), ``street_number``,
  ``street`` (street name and its USPS suffix), ``zip``, ``city``, ``state``;
  ``link_only``;
- blocking: TIN; birth date + last initial; ZIP + street number; first + last
  name + state; birth date + first initial;
- comparisons: Splink's name comparisons with term frequencies, its birth-date
  comparison, TIN Levenshtein ≤ 2, one address comparison (levels below);
- training: the prior from TIN and name + birth date blocks (recall 0.6); u
  by random sampling (1e8 pairs, seed 1); EM on TIN, then birth date + last
  initial, without term frequencies;
- prediction at p ≥ 0.5, the best candidate per request, linked at p ≥ 0.99.

``link`` returns, per request, the linked record (or none) and whether that
record's house number, street and ZIP equal the request's ("plain Splink +
exact address check" confirms only then).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

#: the columns ``link`` wants on both tables (plus ``unique_id``)
COLUMNS: tuple[str, ...] = ("first_name", "last_name", "dob", "tin", "street_number", "street",
                            "zip", "city", "state")

LINK_PROBABILITY = 0.99

_ADDRESS_LEVELS: tuple[tuple[str, str], ...] = (
    ('"street_number_l" = "street_number_r" AND "zip_l" = "zip_r" AND '
     'jaro_winkler_similarity("street_l", "street_r") >= 0.9', "number, ZIP equal; street JW >= 0.9"),
    ('"street_number_l" = "street_number_r" AND jaro_winkler_similarity("street_l", "street_r") >= 0.9 '
     'AND (levenshtein("zip_l", "zip_r") <= 1 OR "city_l" = "city_r")',
     "number equal; street JW >= 0.9; ZIP 1 edit or same city"),
    ('"zip_l" = "zip_r"', "same ZIP"),
    ('"city_l" = "city_r" AND "state_l" = "state_r"', "same city and state"),
    ('"state_l" = "state_r"', "same state"),
)


@dataclass(frozen=True)
class PlainResult:
    links: pd.DataFrame  # request_id, record_id (None: no link), match_probability, address_equal
    seconds: dict[str, float]
    comparisons: int


def _settings() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    address = cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel('"street_number_l" IS NULL OR "street_number_r" IS NULL OR '
                            '"zip_l" IS NULL OR "zip_r" IS NULL', "number or ZIP missing"
                            ).configure(is_null_level=True),
            *[cll.CustomLevel(sql, label) for sql, label in _ADDRESS_LEVELS],
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.LevenshteinAtThresholds("tin", [2]),
            address,
        ],
        blocking_rules_to_generate_predictions=[
            block_on("tin"),
            block_on("dob", "substr(last_name, 1, 1)"),
            block_on("zip", "street_number"),
            block_on("first_name", "last_name", "state"),
            block_on("dob", "substr(first_name, 1, 1)"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def link(con: duckdb.DuckDBPyConnection, requests: str, master: str, *,
         u_pairs: float = 1e8, chunks: int = 1) -> PlainResult:
    """Train and link; ``requests`` and ``master`` are tables with ``unique_id`` and
    ``COLUMNS``. ``chunks`` > 1 predicts the requests in slices (large masters)."""
    from splink import DuckDBAPI, Linker, block_on

    splink_log = logging.getLogger("splink")
    level = splink_log.level
    splink_log.setLevel(logging.ERROR)  # its training chatter is not ours to print
    try:
        db = DuckDBAPI(connection=con)
        linker = Linker([db.register(requests, dataset_display_name="requests"),
                         db.register(master, dataset_display_name="master")], _settings())
        t0 = time.perf_counter()
        linker.training.estimate_probability_two_random_records_match(
            [block_on("tin"), block_on("first_name", "last_name", "dob")], recall=0.6)
        linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
        for rule in (block_on("tin"), block_on("dob", "substr(last_name, 1, 1)")):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True)
            except Exception as e:  # a block without pairs (no identifiers): as the notes' runs
                if "no record pairs" not in str(e).lower() and "resulted in no" not in str(e):
                    raise
        t1 = time.perf_counter()
        if chunks <= 1:
            pred = linker.inference.predict(threshold_match_probability=0.5)
        else:  # the requests in slices: the same result, less memory at once
            pred = linker.inference.predict(threshold_match_probability=0.5,
                                            num_chunks_left=chunks, num_chunks_right=1)
        t2 = time.perf_counter()
        best = con.execute(f"""
            WITH p AS (
                SELECT CASE WHEN source_dataset_l = 'requests' THEN unique_id_l ELSE unique_id_r
                       END AS request_id,
                       CASE WHEN source_dataset_l = 'requests' THEN unique_id_r ELSE unique_id_l
                       END AS record_id, match_probability
                FROM {pred.physical_name}
            ), b AS (
                SELECT * FROM p QUALIFY row_number() OVER (
                    PARTITION BY request_id ORDER BY match_probability DESC, record_id) = 1
            )
            SELECT r.unique_id AS request_id,
                   CASE WHEN b.match_probability >= {LINK_PROBABILITY} THEN b.record_id END
                       AS record_id,
                   b.match_probability,
                   coalesce(b.match_probability >= {LINK_PROBABILITY}
                            AND r.street_number = m.street_number AND r.street = m.street
                            AND r.zip = m.zip, FALSE) AS address_equal
            FROM {requests} r
            LEFT JOIN b ON b.request_id = r.unique_id
            LEFT JOIN {master} m ON m.unique_id = b.record_id
        """).df()
        comparisons = int(con.execute(f"SELECT count(*) FROM {pred.physical_name}").fetchall()[0][0])
        t3 = time.perf_counter()
    finally:
        splink_log.setLevel(level)
    return PlainResult(best, {"train": round(t1 - t0, 2), "predict": round(t2 - t1, 2),
                              "best": round(t3 - t2, 2)}, comparisons)


def prepare(con: duckdb.DuckDBPyConnection, source: str, out: str, *, uid: str,
            newest_per: str | None = None) -> None:
    """Table ``out`` (``unique_id`` + ``COLUMNS``) from a relation with the linkage
    columns: names as written (upper-cased, trimmed), the birth date as
    ``YYYY-MM-DD``, the TIN's digits as given, the address split by the
    gateway's address parser (the notes' ``street_number``/``street``).
    ``newest_per``: keep one row per this column, the newest ``address_as_of``."""
    from ..normalise.records import normalise_table

    src = source
    if newest_per:
        con.execute(f"""CREATE OR REPLACE TEMP VIEW _plain_newest AS SELECT * FROM {source}
                        QUALIFY row_number() OVER (PARTITION BY {newest_per}
                                                   ORDER BY address_as_of DESC) = 1""")
        src = "_plain_newest"
    normalise_table(con, src, "_plain_norm", uid=uid,
                    keep={"raw_first": "CAST(first_name AS VARCHAR)",
                          "raw_last": "CAST(last_name AS VARCHAR)",
                          "raw_tin": "CAST(tin AS VARCHAR)"}, temp=True)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {out} AS
        SELECT uid AS unique_id,
               nullif(upper(trim(raw_first)), '') AS first_name,
               nullif(upper(trim(raw_last)), '') AS last_name,
               dob,
               nullif(regexp_replace(coalesce(raw_tin, ''), '[^0-9]', '', 'g'), '') AS tin,
               house AS street_number,
               nullif(concat_ws(' ', street, street_suffix), '') AS street,
               zip5 AS zip, city, state
        FROM _plain_norm
    """)
    con.execute("DROP TABLE _plain_norm")
