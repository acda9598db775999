"""The generator's knobs: one typed, validated object per generator.

``PopulationKnobs`` shape the taxpayer master file, ``BatchKnobs`` a request
batch. The CLI builds the same objects from ``--set NAME=VALUE`` and
``--knobs FILE.toml``; docs/synth.md lists every knob and its default (a test
keeps the two in step).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..contracts import DEFECT_KINDS
from ..errors import InputError

Share = float  # documented as a share in [0, 1]; bounds enforced by Field
K = TypeVar("K", "PopulationKnobs", "BatchKnobs")


def _share(default: float, doc: str) -> Any:
    return Field(default=default, ge=0.0, le=1.0, description=doc)


class PopulationKnobs(BaseModel):
    """How the synthetic taxpayer population looks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    household_size_weights: tuple[float, float, float, float, float] = Field(
        default=(0.28, 0.34, 0.16, 0.13, 0.09),
        description="relative weights of households of 1, 2, 3, 4 and 5 taxpayers",
    )
    hispanic_share: Share = _share(
        0.19, "national share of Hispanic households (scaled per state by its Hispanic share)"
    )
    double_surname_share: Share = _share(
        0.5, "share of Hispanic taxpayers carrying two surnames (e.g. GARCIA LOPEZ)"
    )
    accent_share: Share = _share(
        0.5, "share of Hispanic taxpayers whose names the master file holds with accents"
    )
    spouse_keeps_surname_share: Share = _share(
        0.15, "share of non-Hispanic spouses keeping their own surname (Hispanic: always)"
    )
    middle_name_share: Share = _share(0.7, "share of non-Hispanic taxpayers with a middle name")
    itin_share: Share = _share(0.03, "share of taxpayers identified by an ITIN instead of an SSN")
    unit_share: Share = _share(0.25, "share of addresses with an apartment or unit line")
    moved_share: Share = _share(0.4, "share of households with at least one earlier address")
    max_previous_addresses: int = Field(
        default=3, ge=1, le=6, description="most earlier addresses a household keeps in the master"
    )
    namesake_share: Share = _share(
        0.01, "share of taxpayers given the full name of another taxpayer in the same ZIP"
    )
    jr_sr_share: Share = _share(
        0.03, "share of households of 3+ where father and son share a given name (SR / JR)"
    )
    twin_share: Share = _share(0.03, "share of households of 4+ whose two children are twins")
    current_tax_year_share: Share = _share(
        0.85, "share of taxpayers whose last return is for the latest tax year"
    )
    latest_tax_year: int = Field(
        default=2024, ge=2000, le=2100, description="the latest tax year a return can be for"
    )

    @field_validator("household_size_weights")
    @classmethod
    def _weights(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(w < 0 for w in v) or sum(v) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return v


def _default_defects() -> dict[str, float]:
    return {
        "address_placeholder": 0.005,
        "address_zero_zip": 0.003,
        "address_zip_only": 0.004,
        "address_no_house_number": 0.004,
        "address_facility_only": 0.003,
        "address_po_box": 0.004,
        "address_zip_state_mismatch": 0.003,
        "name_placeholder": 0.003,
        "statute_not_permitted": 0.004,
        "order_not_final": 0.005,
        "order_missing": 0.003,
        "case_number_missing": 0.004,
        "officer_implausible": 0.002,
        "taxable_period_outside": 0.004,
        "relevance_missing": 0.004,
        "tin_malformed": 0.003,
    }


class BatchKnobs(BaseModel):
    """How a request batch looks: who is asked for, how the names are garbled,
    and which legal defects are planted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- what every request carries ----------------------------------------
    tin_share: Share = _share(0.4, "share of requests that give a TIN (most real ones did not)")
    tin_dashed_share: Share = _share(0.3, "share of given TINs written NNN-NN-NNNN")
    upper_case_share: Share = _share(0.3, "share of requests written in capitals (others in Title Case)")
    middle_initial_share: Share = _share(
        0.3, "share of requests for a taxpayer with a middle name giving only its initial"
    )
    middle_omitted_share: Share = _share(
        0.2, "share of requests for a taxpayer with a middle name leaving it out"
    )
    suffix_in_last_name_share: Share = _share(
        0.3, "share of requests for a JR/SR that append the suffix to the last name"
    )
    # --- whom the requests are for (shares of all requests) ----------------
    absent_share: Share = _share(0.1, "requests for people not in the master file (true_tin null)")
    absent_household_share: Share = _share(
        0.7, "of those, share that are members of a household that is in the master file"
    )
    namesake_share: Share = _share(0.05, "requests drawn from taxpayers with a namesake in their ZIP")
    jr_sr_share: Share = _share(0.02, "requests drawn from taxpayers who are a JR or SR")
    twin_share: Share = _share(0.02, "requests drawn from taxpayers who have a twin")
    moved_share: Share = _share(0.12, "requests giving an earlier address from the taxpayer's history")
    # --- garbling (probability per request where it can apply) -------------
    double_surname_partial_share: Share = _share(
        0.5, "taxpayer with two surnames: give one of them, or hyphenate them"
    )
    name_swap_share: Share = _share(0.03, "given and family names swapped")
    nickname_share: Share = _share(0.1, "given name with a known nickname: use the nickname")
    accent_dropped_share: Share = _share(0.7, "master name with accents: request drops them")
    typo_share: Share = _share(0.04, "one character edit in the given or family name")
    dob_transposed_share: Share = _share(
        0.03, "day and month swapped (only where the swapped date is valid and different)"
    )
    dob_off_share: Share = _share(0.02, "one part of the date of birth off by one")
    dob_part_share: Share = _share(0.0, "the day or the month of the birth date replaced by another value")
    dob_year_share: Share = _share(0.0, "the birth year wrong by 2 to 10 years")
    dob_missing_share: Share = _share(0.0, "no birth date given")
    dob_unparseable_share: Share = _share(
        0.0, "a birth date no parser reads (UNKNOWN, 00/00/0000, 19XX-05-13, ...)"
    )
    tin_digit_share: Share = _share(0.0, "a given TIN with one digit mistyped")
    tin_transposed_share: Share = _share(0.0, "a given TIN with two adjacent digits swapped")
    moved_new_share: Share = _share(
        0.0, "requests giving an address the master never held (the taxpayer moved since)"
    )
    zip_missing_share: Share = _share(0.0, "ZIP left out (city and state kept)")
    city_missing_share: Share = _share(0.0, "city left out (ZIP and state kept)")
    address_variant_share: Share = _share(
        0.35, "address written differently (St/Street, Apt/#/Unit, ZIP+4, unit missing)"
    )
    # --- legal defects (exact shares of all requests; at most one each) -----
    defects: dict[str, float] = Field(
        default_factory=_default_defects,
        description="share of requests carrying each legal defect kind",
    )
    officer_caseload: int = Field(
        default=60, ge=1, description="records per ordinary investigating officer in a batch"
    )

    @field_validator("defects")
    @classmethod
    def _defects(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(DEFECT_KINDS))
        if unknown:
            raise ValueError(f"unknown defect kind(s): {', '.join(unknown)}")
        bad = sorted(k for k, s in v.items() if not 0.0 <= s <= 1.0)
        if bad:
            raise ValueError(f"share outside [0, 1]: {', '.join(bad)}")
        full = _default_defects()
        full.update(v)
        return full

    @model_validator(mode="after")
    def _sums(self) -> BatchKnobs:
        picked = self.absent_share + self.namesake_share + self.jr_sr_share + self.twin_share
        if picked + self.moved_share > 1.0:
            raise ValueError("absent + namesake + jr_sr + twin + moved shares exceed 1")
        if sum(self.defects.values()) > 1.0:
            raise ValueError("defect shares add up to more than 1")
        if self.dob_missing_share + self.dob_unparseable_share > 1.0:
            raise ValueError("dob_missing_share + dob_unparseable_share exceed 1")
        if self.tin_digit_share + self.tin_transposed_share > 1.0:
            raise ValueError("tin_digit_share + tin_transposed_share exceed 1")
        if self.middle_initial_share + self.middle_omitted_share > 1.0:
            raise ValueError("middle_initial_share + middle_omitted_share exceed 1")
        return self


#: named sets of knobs (``--preset``); a preset's values are overridden by a knobs file
#: and ``--set``. "harsh" is a world with more of every kind of error the linkage must
#: survive: birth dates wrong in every way, TIN slips, nicknames, people who moved
#: (also to addresses the master never held), missing fields, bigger households with
#: more people absent from the master, more namesakes, twins and JR/SR.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "default": {"population": {}, "batch": {}},
    "harsh": {
        "population": {
            "household_size_weights": (0.2, 0.3, 0.18, 0.17, 0.15),
            "namesake_share": 0.03,
            "jr_sr_share": 0.08,
            "twin_share": 0.08,
            "moved_share": 0.5,
        },
        "batch": {
            "absent_share": 0.15,
            "absent_household_share": 0.8,
            "namesake_share": 0.08,
            "jr_sr_share": 0.04,
            "twin_share": 0.04,
            "moved_share": 0.12,
            "moved_new_share": 0.1,
            "name_swap_share": 0.05,
            "nickname_share": 0.3,
            "typo_share": 0.12,
            "dob_transposed_share": 0.04,
            "dob_off_share": 0.04,
            "dob_part_share": 0.03,
            "dob_year_share": 0.03,
            "dob_missing_share": 0.03,
            "dob_unparseable_share": 0.02,
            "tin_digit_share": 0.06,
            "tin_transposed_share": 0.04,
            "zip_missing_share": 0.05,
            "city_missing_share": 0.05,
            "address_variant_share": 0.5,
        },
    },
}


def _coerce(text: str) -> Any:
    """A --set value: TOML scalar syntax when it parses, else the bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _errors(e: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'knobs'}: "
        f"{'unknown knob' if err['type'] == 'extra_forbidden' else err['msg']}"
        for err in e.errors()
    )


def build_knobs(model: type[K], *, file: Path | None = None, settings: list[str] | None = None,
                preset: str = "default") -> K:
    """Knobs from a preset, then an optional TOML file, then ``NAME=VALUE`` overrides.

    ``defects.KIND=SHARE`` sets one defect share; ``defects=0`` sets them all.
    """
    if preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}",
                         where="--preset")
    data: dict[str, Any] = dict(PRESETS[preset]["population" if model is PopulationKnobs else "batch"])
    if file is not None:
        try:
            data |= tomllib.loads(file.read_text(encoding="utf-8"))
        except OSError as e:
            raise InputError(f"cannot read knobs file: {e.strerror}", where=str(file)) from e
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise InputError(f"not a valid TOML knobs file: {e}", where=str(file)) from e
    for item in settings or []:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"expected NAME=VALUE, got {item!r}", where="--set")
        value = _coerce(raw.strip())
        if name == "defects" and isinstance(value, int | float):
            data["defects"] = dict.fromkeys(DEFECT_KINDS, float(value))
        elif name.startswith("defects."):
            data.setdefault("defects", {})[name.removeprefix("defects.")] = value
        else:
            data[name] = value
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise InputError(_errors(e), where=str(file) if file else "--set") from e


def knob_docs(model: type[BaseModel]) -> dict[str, tuple[object, str]]:
    """Every knob with its default and one-line description (for docs and tests)."""
    out: dict[str, tuple[object, str]] = {}
    for name, field in model.model_fields.items():
        default = field.get_default(call_default_factory=True)
        out[name] = (default, field.description or "")
    return out
