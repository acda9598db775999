"""The evidence a decision is made on, in bits, as SQL over the scored pairs.

Fellegi–Sunter weighs every comparison as independent evidence against a random
taxpayer. Two alternatives are not random, and they are where wrong links come
from (docs/linkage.md, "The decision rule"):

- **a co-resident**: someone at the candidate's address — in the master or not —
  shares the surname and the address by construction, so only the *person*
  comparisons (given name, birth date, TIN) tell the two apart, and they do so
  with the odds a household produces, not the population's. The household test
  weighs each person level by ``log2(m / h)``, ``m`` the model's, ``h`` the share
  of co-resident pairs of the master at that level (``household_u``: measured
  on the master's own households when the model is trained), and subtracts
  ``log2(C)``: the people the request could mean instead. Where the request's
  address is one the master holds for the candidate, every taxpayer living there
  is a candidate too and is scored with their own data (the runner-up margin
  compares them), so ``C`` = 1, someone there who is not in the master;
  elsewhere ``C`` = the taxpayers at the candidate's address (the others, and
  one not in the master);
- **a namesake**: someone else with the same name, of whom the population holds
  ``E = N / s · tf(given) · tf(family)`` (``N`` taxpayers, ``s`` the share of
  requests about a taxpayer), so only what is *not* the name (birth date, TIN,
  address) tells them apart: the model's weights of those, minus
  ``log2(1 + E)``.

Both are log-odds in favour of the candidate against that alternative; the rule
(``decide``) wants each at least as large as the auto threshold's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import duckdb

from . import settings as S


def level_case(comparison: Mapping[str, Any]) -> str:
    """SQL: the label of the comparison level that holds for a pair (``_l``/``_r``)."""
    parts = []
    for lvl in comparison["comparison_levels"]:
        cond = lvl["sql_condition"]
        label = str(lvl["label_for_charts"]).replace("'", "''")
        if cond.strip().upper() == "ELSE":
            parts.append(f"ELSE '{label}'")
        else:
            parts.append(f"WHEN {cond} THEN '{label}'")
    if not any(p.startswith("ELSE") for p in parts):
        parts.append("ELSE NULL")
    return "CASE " + " ".join(parts) + " END"


def comparison(model: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return next(c for c in model["comparisons"] if c["output_column_name"] == name)


def _levels(model: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    return [lv for lv in comparison(model, name)["comparison_levels"] if not lv.get("is_null_level")]


def level_weight(model: Mapping[str, Any], name: str, label: str) -> float:
    """The match weight of one level, ``log2(m / u)``, as the engine writes it into
    its ``mw_<name>`` column (the scored pairs carry weights, not level numbers)."""
    lv = next(x for x in _levels(model, name) if x["label_for_charts"] == label)
    return math.log2(float(lv["m_probability"]) / float(lv["u_probability"]))


def at_level_sql(column: str, model: Mapping[str, Any], name: str, labels: tuple[str, ...]) -> str:
    """SQL: the pair's ``mw_<name>`` is the weight of one of ``labels``. Levels of one
    comparison with the same weight cannot be told apart this way; the test is then
    true for both (used where that errs on the side of asking a person)."""
    ws = [level_weight(model, name, label) for label in labels]
    return "(" + " OR ".join(f"abs({column} - {w!r}) < 1e-9" for w in ws) + ")"


# --- the household's own odds (measured when the model is trained) ----------------------


def household_u(con: duckdb.DuckDBPyConnection, persons: str = "m.persons") -> dict[str, Any]:
    """Share of co-resident pairs of the master (two taxpayers whose last known
    house number, street and ZIP are the same) at each level of the person
    comparisons: what a household member produces by chance."""
    cols = ("given", "given_alts", "family", "family_tokens", "dob", "tin")
    sel = ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in cols)
    cases = ", ".join(f"{level_case(c)} AS {c['output_column_name']}" for c in S.COMPARISONS
                      if c["output_column_name"] in S.PERSON_COMPARISONS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _hh_levels AS
        WITH p AS (
            SELECT uid, {", ".join(cols)}, house, street, zip5 FROM {persons}
            WHERE house IS NOT NULL AND street IS NOT NULL
        ), pairs AS (
            SELECT {sel} FROM p a JOIN p b
              ON a.house = b.house AND a.street = b.street
             AND a.zip5 IS NOT DISTINCT FROM b.zip5 AND a.uid < b.uid
        )
        SELECT {cases} FROM pairs
    """)
    pairs = int(con.execute("SELECT count(*) FROM _hh_levels").fetchall()[0][0])
    out: dict[str, Any] = {"pairs": pairs, "levels": {}}
    for name in S.PERSON_COMPARISONS:
        rows = con.execute(f"SELECT {name}, count(*) FROM _hh_levels WHERE {name} IS NOT NULL "
                           f"GROUP BY {name}").fetchall()
        seen = sum(int(n) for _, n in rows)
        out["levels"][name] = {str(label): int(n) / seen for label, n in rows} if seen else {}
    con.execute("DROP TABLE _hh_levels")
    return out


def household_weights(model: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """``log2(m / h)`` of every person level: its weight against a co-resident."""
    hh = model.get("household_u") or {"levels": S.HOUSEHOLD_PRIOR}
    floor = S.TRAINING.household_u_floor
    out: dict[str, dict[str, float]] = {}
    for name in S.PERSON_COMPARISONS:
        seen = hh["levels"].get(name, {})
        out[name] = {}
        for lv in _levels(model, name):
            label = lv["label_for_charts"]
            m = max(float(lv.get("m_probability") or 0.0), 1e-12)
            h = max(float(seen.get(label, 0.0)), floor)
            out[name][label] = math.log2(m / h)
    return out


# --- SQL of the two tests -------------------------------------------------------------------


def _case_of(level_sql: str, weights: Mapping[str, float], *, default: float = 0.0) -> str:
    whens = " ".join(f"WHEN '{lab.replace(chr(39), chr(39) * 2)}' THEN {w!r}"
                     for lab, w in weights.items())
    return f"coalesce(CASE {level_sql} {whens} END, {default!r})"


def household_bits_sql(model: Mapping[str, Any], *, given_level: str, dob_level: str,
                       tin_level: str, given_known: str, residents: str) -> str:
    """SQL: the candidate's log-odds against a co-resident (bits)."""
    hw = household_weights(model)
    weak = ", ".join(f"'{x}'" for x in S.GIVEN_WEAK_LEVELS)
    different = hw["given"].get("different", 0.0)
    given = (f"CASE WHEN {given_level} IN ({weak}) AND {given_known} THEN {different!r} "
             f"ELSE {_case_of(given_level, hw['given'])} END")
    return (f"({given} + {_case_of(dob_level, hw['dob'])} + {_case_of(tin_level, hw['tin'])}"
            f" - log2(greatest(coalesce({residents}, 1), 1)))")


def namesake_bits_sql(persons: int, *, weights: Mapping[str, str], tf_given: str,
                      tf_family: str) -> str:
    """SQL: the candidate's log-odds against a namesake (bits): the weights of what
    is not the name, less ``log2(1 + E)``, ``E`` the expected other people of that
    name (a name the master lacks counts as the rarest it holds)."""
    population = persons / S.TRAINING.expected_match_share
    rarest = 1.0 / max(persons, 1)
    beyond = " + ".join(f"coalesce({weights[c]}, 0)" for c in ("dob", "tin", *S.PLACE_COMPARISONS))
    expected = (f"{population!r} * coalesce({tf_given}, {rarest!r}) "
                f"* coalesce({tf_family}, {rarest!r})")
    return f"({beyond} - log2(1 + {expected}))"
