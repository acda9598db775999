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

SETTINGS_VERSION = "2025.1"
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
            _level("different", "ELSE", 0.01, 0.997),
        ],
    },
    {
        "output_column_name": "tin",
        "comparison_description": "TIN: exact, one digit off, else (absent: no evidence)",
        "comparison_levels": [
            _null("tin"),
            _level("exact", '"tin_l" = "tin_r"', 0.98, 1e-8),
            _level("one digit off", 'levenshtein("tin_l", "tin_r") = 1', 0.005, 1e-7),
            _level("different", "ELSE", 0.01, 1.0),
        ],
    },
    {
        "output_column_name": "house",
        "comparison_description": "house number: last known, an earlier address, else",
        "comparison_levels": [
            _null("house"),
            _level("exact", '"house_l" = "house_r"', 0.8, 0.003),
            _level("an earlier address", _either("house", "hist_house"), 0.12, 0.003),
            _level("different", "ELSE", 0.08, 0.994),
        ],
    },
    {
        "output_column_name": "street",
        "comparison_description": "street name: last known, an earlier address, Jaro-Winkler",
        "comparison_levels": [
            _null("street"),
            _level("exact", '"street_l" = "street_r"', 0.8, 0.01),
            _level("an earlier address", _either("street", "hist_street"), 0.12, 0.005),
            _level("Jaro-Winkler >= 0.90",
                   'jaro_winkler_similarity("street_l", "street_r") >= 0.90', 0.02, 0.01),
            _level("different", "ELSE", 0.06, 0.975),
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
    {
        "output_column_name": "zip5",
        "comparison_description": "ZIP: last known, an earlier address, same 3-digit area",
        "comparison_levels": [
            _null("zip5"),
            _level("exact", '"zip5_l" = "zip5_r"', 0.8, 0.0005),
            _level("an earlier address", _either("zip5", "hist_zip"), 0.12, 0.0005),
            _level("same 3-digit area", 'substr("zip5_l", 1, 3) = substr("zip5_r", 1, 3)',
                   0.04, 0.01),
            _level("different", "ELSE", 0.04, 0.989),
        ],
    },
    {
        "output_column_name": "city",
        "comparison_description": "city: exact, Jaro-Winkler",
        "comparison_levels": [
            _null("city"),
            _level("exact", '"city_l" = "city_r"', 0.85, 0.003),
            _level("Jaro-Winkler >= 0.90",
                   'jaro_winkler_similarity("city_l", "city_r") >= 0.90', 0.03, 0.003),
            _level("different", "ELSE", 0.12, 0.994),
        ],
    },
)

#: given-name levels that are strong / weak first-name evidence for the household guard;
#: a weak level counts only where the request's given name is not itself a taxpayer's
#: given name (a typo — DONALF for DONALD — not another name: RONALD)
GIVEN_STRONG_LEVELS: tuple[str, ...] = ("exact", "swapped with family name", "nickname")
GIVEN_WEAK_LEVELS: tuple[str, ...] = ("one edit", "swapped, approximately",
                                      "Jaro-Winkler >= 0.92")
#: birth-date levels that are strong / weak birth-date evidence
DOB_STRONG_LEVELS: tuple[str, ...] = ("exact",)
DOB_WEAK_LEVELS: tuple[str, ...] = ("day and month transposed", "one part off by one")
#: house-number and street levels that together are address evidence (the request's
#: address is one the master holds for the candidate): without an agreeing TIN, name
#: and birth date alone do not link automatically — at ten million taxpayers the
#: same given name, surname and birth date occur by chance
HOUSE_EVIDENCE_LEVELS: tuple[str, ...] = ("exact", "an earlier address")
STREET_EVIDENCE_LEVELS: tuple[str, ...] = ("exact", "an earlier address", "Jaro-Winkler >= 0.90")


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
    #: expected share of requests that refer to someone in the master file; with the
    #: master size it gives the prior match probability of a random pair
    expected_match_share: float = 0.9
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
        "evidence_levels": {
            "given": {"strong": list(GIVEN_STRONG_LEVELS), "weak": list(GIVEN_WEAK_LEVELS)},
            "dob": {"strong": list(DOB_STRONG_LEVELS), "weak": list(DOB_WEAK_LEVELS)},
            "address": {"house": list(HOUSE_EVIDENCE_LEVELS),
                        "street": list(STREET_EVIDENCE_LEVELS)},
            "weak_given_only_for_unknown_names": True,
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
