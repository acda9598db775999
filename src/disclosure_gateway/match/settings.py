"""The linkage model's shape as data: comparisons, candidate keys, training plan.

Nothing here imports Splink. The comparisons are written in Splink's settings
dictionary format (DuckDB SQL conditions) and the candidate keys as SQL over the
normalised columns of ``normalise/records.py``; ``settings_hash()`` is taken over
all of it (RFC 8785) and travels with every decision, so an answer can always
be tied to the exact rules that produced it.

Orientation: candidate pairs put the request on the left (``_l``) and the
master record on the right (``_r``), but training lets Splink pair records either
way round, so every condition that reads a master-only column (the address
history ``hist_*``) is written symmetrically.

Levels are listed most to least specific; the first that holds applies. Each
level carries a prior m/u so an untrained model still ranks sensibly (and EM
never starts from nothing); training replaces them.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Any

from ..canonical import canonical_hash

SETTINGS_VERSION = "2026.1"
UNIQUE_ID = "uid"

#: master-only columns holding the address history (empty lists on requests)
HISTORY_COLUMNS: tuple[str, ...] = ("hist_house", "hist_street", "hist_zip")


def _level(
    label: str,
    sql: str,
    m: float,
    u: float,
    *,
    tf: str | None = None,
) -> dict[str, Any]:
    lvl: dict[str, Any] = {
        "sql_condition": sql,
        "label_for_charts": label,
        "m_probability": m,
        "u_probability": u,
    }
    if tf:
        lvl["tf_adjustment_column"] = tf
        lvl["tf_adjustment_weight"] = 1.0
    return lvl


def _null(col: str) -> dict[str, Any]:
    return {
        "sql_condition": f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
        "label_for_charts": f"{col} absent",
        "is_null_level": True,
    }


def _one_edit(col: str) -> str:
    """One substitution, insertion, deletion or adjacent transposition. The nested
    CASE keeps DuckDB's slow Damerau-Levenshtein to the few pairs that need it."""
    a, b = f'"{col}_l"', f'"{col}_r"'
    return (f"CASE WHEN levenshtein({a}, {b}) <= 1 THEN TRUE "
            f"WHEN length({a}) = length({b}) AND levenshtein({a}, {b}) = 2 "
            f"THEN damerau_levenshtein({a}, {b}) = 1 ELSE FALSE END")


def _either(col: str, hist: str) -> str:
    """``col`` on one side is one of the other side's history values (either way round)."""
    return f'(list_contains("{hist}_r", "{col}_l") OR list_contains("{hist}_l", "{col}_r"))'


#: given and family in each other's fields (a nickname allowed for the given name)
_SWAPPED = (
    '(list_contains("family_tokens_r", "given_l") AND '
    'list_has_any("family_tokens_l", list_prepend("given_r", "given_alts_r"))) OR '
    '(list_contains("family_tokens_l", "given_r") AND '
    'list_has_any("family_tokens_r", list_prepend("given_l", "given_alts_l")))'
)
#: swapped, with a typo in either
_SWAPPED_APPROX = (
    'jaro_winkler_similarity("given_l", "family_r") >= 0.9 AND '
    'jaro_winkler_similarity("family_l", "given_r") >= 0.9'
)

_Y = "substr(\"dob_{s}\", 1, 4)"
_M = "substr(\"dob_{s}\", 6, 2)"
_D = "substr(\"dob_{s}\", 9, 2)"


def _part(tmpl: str, side: str) -> str:
    return tmpl.format(s=side)


_DOB_TRANSPOSED = (
    f"{_part(_Y, 'l')} = {_part(_Y, 'r')} AND {_part(_M, 'l')} = {_part(_D, 'r')} "
    f"AND {_part(_D, 'l')} = {_part(_M, 'r')}"
)
def _off_by_one(part: str) -> str:
    return f"abs(TRY_CAST({_part(part, 'l')} AS INTEGER) - TRY_CAST({_part(part, 'r')} AS INTEGER)) = 1"


def _same(part: str) -> str:
    return f"{_part(part, 'l')} = {_part(part, 'r')}"


#: two parts equal, the third off by one (a slip, not another person's birthday:
#: parents and children often share a day and month, never a day, month and year±1)
_DOB_ONE_PART_OFF = (
    f"({_same(_Y)} AND {_same(_M)} AND {_off_by_one(_D)}) OR "
    f"({_same(_Y)} AND {_same(_D)} AND {_off_by_one(_M)}) OR "
    f"({_same(_M)} AND {_same(_D)} AND {_off_by_one(_Y)})"
)

#: two of year, month and day equal, the third anything (a misread day or month, a
#: wrong year): weaker evidence, and common among relatives (the household test
#: measures how common)
_DOB_TWO_PARTS = (f"({_same(_Y)} AND {_same(_M)}) OR ({_same(_Y)} AND {_same(_D)}) "
                  f"OR ({_same(_M)} AND {_same(_D)})")

#: the request's house number and street are one address the master holds (either
#: way round: training pairs records both ways)
_HELD_EARLIER = (f'({_either("house", "hist_house")} AND {_either("street", "hist_street")})')
_LOCALITY = '("zip5_l" = "zip5_r" OR ("city_l" = "city_r" AND "state_l" IS NOT DISTINCT FROM "state_r"))'

#: the comparisons, in Splink's settings format (DuckDB dialect)
COMPARISONS: tuple[dict[str, Any], ...] = (
    {
        "output_column_name": "given",
        "comparison_description": "given name: exact, swapped with family, nickname, one edit, "
                                  "Jaro-Winkler",
        "comparison_levels": [
            _null("given"),
            _level("exact", '"given_l" = "given_r"', 0.83, 0.004, tf="given"),
            _level("swapped with family name", _SWAPPED, 0.02, 1e-6),
            _level(
                "nickname",
                'list_contains("given_alts_r", "given_l") OR list_contains("given_alts_l", "given_r")',
                0.07, 0.002,
            ),
            _level("one edit", _one_edit("given"), 0.03, 0.002),
            _level("swapped, approximately", _SWAPPED_APPROX, 0.005, 1e-6),
            _level("Jaro-Winkler >= 0.92", 'jaro_winkler_similarity("given_l", "given_r") >= 0.92',
                   0.02, 0.002),
            _level("Jaro-Winkler >= 0.80", 'jaro_winkler_similarity("given_l", "given_r") >= 0.80',
                   0.01, 0.03),
            _level("different", "ELSE", 0.015, 0.96),
        ],
    },
    {
        "output_column_name": "family",
        "comparison_description": "family name: exact, swapped, one of two surnames, one edit, "
                                  "Jaro-Winkler",
        "comparison_levels": [
            _null("family"),
            _level("exact", '"family_l" = "family_r"', 0.72, 0.001, tf="family"),
            _level("swapped with given name", _SWAPPED, 0.02, 1e-6),
            _level("one surname in common",
                   'list_has_any("family_tokens_l", "family_tokens_r")', 0.18, 0.001),
            _level("one edit", _one_edit("family"), 0.03, 0.001),
            _level("swapped, approximately", _SWAPPED_APPROX, 0.005, 1e-6),
            _level("Jaro-Winkler >= 0.92",
                   'jaro_winkler_similarity("family_l", "family_r") >= 0.92', 0.02, 0.002),
            _level("Jaro-Winkler >= 0.80",
                   'jaro_winkler_similarity("family_l", "family_r") >= 0.80', 0.01, 0.03),
            _level("different", "ELSE", 0.015, 0.966),
        ],
    },
    {
        "output_column_name": "dob",
        "comparison_description": "date of birth: exact, day/month transposed, one part off by one",
        "comparison_levels": [
            _null("dob"),
            _level("exact", '"dob_l" = "dob_r"', 0.94, 4e-5),
            _level("day and month transposed", _DOB_TRANSPOSED, 0.03, 1e-6),
            _level("one part off by one", _DOB_ONE_PART_OFF, 0.02, 0.0003),
            _level("two parts equal", _DOB_TWO_PARTS, 0.02, 0.012),
            _level("different", "ELSE", 0.01, 0.985),
        ],
    },
    {
        "output_column_name": "tin",
        "comparison_description": "TIN: exact, one digit mistyped or two adjacent swapped, else "
                                  "(absent: no evidence)",
        "comparison_levels": [
            _null("tin"),
            _level("exact", '"tin_l" = "tin_r"', 0.98, 1e-8),
            _level("one slip",
                   'length("tin_l") = length("tin_r") AND (' + _one_edit("tin") + ")", 0.01, 2e-7),
            _level("different", "ELSE", 0.01, 1.0),
        ],
    },
    {
        # One comparison for the whole address: house, street, ZIP and city are not
        # independent evidence (four agreeing fields are one address; four differing
        # fields are one move), so they are weighed as one joint level.
        "output_column_name": "address",
        "comparison_description": "address: last known, an earlier one, same ZIP or city, "
                                  "same area, else",
        "comparison_levels": [
            {"sql_condition": '("house_l" IS NULL OR "street_l" IS NULL) AND "zip5_l" IS NULL '
                              'AND "city_l" IS NULL OR ("house_r" IS NULL OR "street_r" IS NULL) '
                              'AND "zip5_r" IS NULL AND "city_r" IS NULL',
             "label_for_charts": "address absent", "is_null_level": True},
            _level("last known", f'"house_l" = "house_r" AND "street_l" = "street_r" AND {_LOCALITY}',
                   0.75, 2e-6),
            _level("last known, street approximately",
                   f'"house_l" = "house_r" AND jaro_winkler_similarity("street_l", "street_r") >= 0.9 '
                   f'AND {_LOCALITY}', 0.04, 1e-6),
            _level("an earlier address", _HELD_EARLIER, 0.1, 1e-6),
            _level("same ZIP", f'"zip5_l" = "zip5_r" OR {_either("zip5", "hist_zip")}', 0.03, 0.0005),
            _level("same city", '"city_l" = "city_r" AND "state_l" IS NOT DISTINCT FROM "state_r"',
                   0.02, 0.002),
            _level("same 3-digit area", 'substr("zip5_l", 1, 3) = substr("zip5_r", 1, 3)', 0.02, 0.01),
            _level("different", "ELSE", 0.04, 0.9875),
        ],
    },
    {
        "output_column_name": "unit",
        "comparison_description": "unit identifier (apartment, suite): exact, else",
        "comparison_levels": [
            _null("unit"),
            _level("exact", '"unit_l" = "unit_r"', 0.9, 0.05),
            _level("different", "ELSE", 0.1, 0.95),
        ],
    },
)

#: given-name levels that count as evidence only where the request's given name is
#: not itself a taxpayer's given name (a typo — DONALF for DONALD — not another
#: name: RONALD); for a known name they weigh as "different" in the household test
GIVEN_WEAK_LEVELS: tuple[str, ...] = ("one edit", "swapped, approximately",
                                      "Jaro-Winkler >= 0.92")
#: the person-specific comparisons (what tells one member of a household from
#: another) and the place comparisons (what a household shares)
PERSON_COMPARISONS: tuple[str, ...] = ("given", "dob", "tin")
PLACE_COMPARISONS: tuple[str, ...] = ("address", "unit")
#: address levels at which the request's address may be the candidate's last known
#: one (house number and street equal): a review there can end in a confirmation
CONFIRMABLE_ADDRESS_LEVELS: tuple[str, ...] = ("last known",)
#: address levels at which the request's address is one the master holds for the
#: candidate: everyone the master has there was a candidate too (the address key)
HELD_ADDRESS_LEVELS: tuple[str, ...] = ("last known", "last known, street approximately",
                                        "an earlier address")
#: the TIN level that is a slip of the pen (one digit, or two adjacent swapped)
TIN_SLIP_LEVEL = "one slip"
#: the household test's prior: the share of co-resident pairs at each person level,
#: used until a model is trained on a master (training measures them on the
#: master's own households). JR/SR share a given name, twins a birth date,
#: relatives often a birth year or a day and month; co-residents never a TIN.
HOUSEHOLD_PRIOR: dict[str, dict[str, float]] = {
    "given": {"exact": 0.01, "swapped with family name": 0.001, "nickname": 0.005,
              "one edit": 0.005, "swapped, approximately": 0.001, "Jaro-Winkler >= 0.92": 0.005,
              "Jaro-Winkler >= 0.80": 0.03, "different": 0.94},
    "dob": {"exact": 0.01, "day and month transposed": 0.001, "one part off by one": 0.005,
            "two parts equal": 0.08, "different": 0.9},
    "tin": {"exact": 0.0001, "one slip": 0.0001, "different": 1.0},
}


# --- candidate keys (our blocking, in front of Splink) --------------------------


@dataclass(frozen=True)
class KeyRule:
    """One candidate key: a master record is a candidate for a request when they
    share a key of some rule. Each side's SQL yields a ``VARCHAR[]`` of keys over
    the normalised columns (the request side may yield several spellings, e.g.
    nicknames and swapped orders; the master side yields the record as held)."""

    name: str
    why: str
    master_sql: str
    request_sql: str


def _pairs(given_list: str, yield_: str) -> str:
    """Order-free (given, family token) pairs: a swapped name yields the same keys."""
    return (
        f"flatten(list_transform({given_list}, lambda g: list_transform(coalesce(family_tokens, []), "
        f"lambda f: least(g, f) || '|' || greatest(g, f) || '|' || {yield_})))"
    )


_REQ_GIVENS = "list_prepend(given, coalesce(given_alts, []))"

KEY_RULES: tuple[KeyRule, ...] = (
    KeyRule(
        "tin",
        "a TIN given on the request finds its holder (the TIN comparison then weighs it)",
        "CASE WHEN tin IS NOT NULL THEN [tin] ELSE [] END",
        "CASE WHEN tin IS NOT NULL THEN [tin] ELSE [] END",
    ),
    KeyRule(
        "name_yob",
        "given (or nickname) and one family surname in either order, same birth year",
        _pairs("[given]", "substr(dob, 1, 4)"),
        _pairs(_REQ_GIVENS, "substr(dob, 1, 4)"),
    ),
    KeyRule(
        "name_zip",
        "given (or nickname) and one family surname in either order, a ZIP held for them",
        _pairs("[given]", "zip5"),
        _pairs(_REQ_GIVENS, "zip5"),
    ),
    KeyRule(
        "dob_name",
        "exact birth date and any one name token (given, nickname or surname, either field)",
        "list_transform(list_prepend(given, coalesce(family_tokens, [])), lambda n: dob || '|' || n)",
        "list_transform(list_concat(" + _REQ_GIVENS + ", coalesce(family_tokens, [])), "
        "lambda n: dob || '|' || n)",
    ),
    KeyRule(
        "address",
        "house number, street name and ZIP of any address held (names too garbled for the rest)",
        "[house || '|' || street || '|' || zip5]",
        "[house || '|' || street || '|' || zip5]",
    ),
)

#: keys shared by more master records than this are not indexed: a request must
#: then be found by a more specific rule (a cap keeps one request's candidate
#: set to a few hundred, the same in the batch and the single-request path)
MAX_BLOCK_SIZE = 500


# --- training plan ---------------------------------------------------------------


@dataclass(frozen=True)
class TrainingPlan:
    #: pairs sampled for u (random request × master pairs): ``u_pairs_per_taxpayer``
    #: per taxpayer in the master, between the two bounds. The rarest level that
    #: matters (an exact TIN, about one pair in as many as there are taxpayers)
    #: is then seen about ten times up to 2M taxpayers; the lower bound halves
    #: training time on a million taxpayers, where u sampling is nine tenths of it.
    u_min_pairs: float = 1e7
    u_max_pairs: float = 2e7
    u_pairs_per_taxpayer: float = 10.0
    u_seed: int = 42
    #: EM blocking rules: never an address block (it learns "same household")
    em_blocks: tuple[str, ...] = (
        'l."tin" = r."tin"',
        'l."dob" = r."dob" AND substr(l."family", 1, 1) = substr(r."family", 1, 1)',
    )
    #: an EM block with fewer record pairs than this is skipped (with a note): EM
    #: on a handful of pairs learns nothing and Splink refuses an empty block
    em_min_pairs: int = 50
    #: expected share of requests that refer to someone in the master file; with the
    #: master size it gives the prior match probability of a random pair
    expected_match_share: float = 0.9
    #: the household test's u of a level no co-resident pair shows is at least this
    #: (a level never seen in households is rare, not impossible)
    household_u_floor: float = 1e-4
    #: no trained m below this: EM on synthetic data learns "never happens" for
    #: what the generator never does (say, a request at an address the master has
    #: never held), and one such level would veto a true match on its own
    m_floor: float = 0.005

    def u_pairs(self, persons: int) -> float:
        """Pairs to sample for u against a master of ``persons`` taxpayers."""
        return min(max(self.u_pairs_per_taxpayer * persons, self.u_min_pairs), self.u_max_pairs)


TRAINING = TrainingPlan()


def splink_settings(prior: float) -> dict[str, Any]:
    """The Splink settings dictionary (untrained: priors only)."""
    return {
        "link_type": "link_only",
        "unique_id_column_name": UNIQUE_ID,
        "probability_two_random_records_match": prior,
        # deep copies: Splink and callers fill in m/u values in place, and the
        # module's comparisons are what settings_hash() (and every model) is bound to
        "comparisons": copy.deepcopy(list(COMPARISONS)),
        "blocking_rules_to_generate_predictions": [],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
        "sql_dialect": "duckdb",
    }


def settings_document() -> dict[str, Any]:
    return {
        "version": SETTINGS_VERSION,
        "comparisons": list(COMPARISONS),
        "key_rules": [asdict(r) for r in KEY_RULES],
        "max_block_size": MAX_BLOCK_SIZE,
        "training": asdict(TRAINING),
        "evidence": {
            "person": list(PERSON_COMPARISONS),
            "place": list(PLACE_COMPARISONS),
            "given_weak_only_for_unknown_names": list(GIVEN_WEAK_LEVELS),
            "confirmable_address": list(CONFIRMABLE_ADDRESS_LEVELS),
            "held_address": list(HELD_ADDRESS_LEVELS),
            "tin_slip": TIN_SLIP_LEVEL,
            "household_u_floor": TRAINING.household_u_floor,
        },
    }


def keys_hash() -> str:
    """SHA-256 of what the master index is built from: the candidate keys (an index
    built for other keys must be rebuilt; new comparisons need only a new model)."""
    return canonical_hash({"key_rules": [asdict(r) for r in KEY_RULES],
                           "max_block_size": MAX_BLOCK_SIZE})


def settings_hash() -> str:
    """SHA-256 of the RFC 8785 form of everything above."""
    return canonical_hash(settings_document())
