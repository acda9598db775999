"""The gate against a hostile requester: placeholders in disguise, over-long fields.

Each finding of the adversarial review is a case here ("passes today" was the
bug); next to each, the real values the rule must still let through.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disclosure_gateway.agreement import Agreement
from disclosure_gateway.gate import address as address_module
from disclosure_gateway.gate import check_records

from .factories import REQUEST_DATE, frame, record

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "request-record.schema.json"
CYRILLIC_O = "\u043e"


def _codes(reference: Agreement, **fields: str) -> tuple[str, ...]:
    r = check_records(frame([record(**fields)]), reference, request_date=REQUEST_DATE, workers=1)
    return r.reasons(0)


def _each(reference: Agreement, variants: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """The refusing codes of each variant, all judged in one batch (distinct people)."""
    recs = [record(i + 2, **fields) for i, fields in enumerate(variants)]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    return [r.reasons(i) for i in range(len(recs))]


# --- the findings --------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["123 TBD St", "123 N/A", "123 Any Street"])
def test_finding_placeholder_street_names_are_refused(line: str, reference: Agreement) -> None:
    assert "ADDRESS_PLACEHOLDER" in _codes(reference, address_line1=line, address_line2="")


def test_finding_a_10000_character_address_line_is_refused(reference: Agreement) -> None:
    long_line = "1423 W Elm St " + "A" * 10_000
    # refused for its length; no verdict on text that was not read
    assert _codes(reference, address_line1=long_line) == ("FIELD_TOO_LONG",)


def test_field_too_long_names_the_field_in_its_detail(reference: Agreement) -> None:
    r = check_records(frame([record(address_line1="1423 W Elm St " + "A" * 10_000)]), reference,
                      request_date=REQUEST_DATE, workers=1)
    assert r.detail(0) == {"FIELD_TOO_LONG": {"fields": ["address_line1"]}}


def test_finding_placeholder_name_with_a_cyrillic_o_is_refused(reference: Agreement) -> None:
    disguised = f"Unkn{CYRILLIC_O}wn"
    assert disguised != "Unknown"
    assert "NAME_PLACEHOLDER" in _codes(reference, first_name=disguised)
    assert "NAME_PLACEHOLDER" in _codes(reference, last_name=disguised)


# --- placeholder street names: their forms, and the real streets that must pass -----------

DISGUISED_STREETS = [
    "123 tbd st",
    "123 T.B.D. Street",
    "123 T B D St",
    "123 \u0422\u0412D St",  # Cyrillic Т and В
    "\uff11\uff12\uff13 \uff21\uff4e\uff59 \uff33\uff54",  # fullwidth "123 Any St"
    "123 N\u2044A",  # fraction slash
    "123 N\u200b/A St",  # zero-width space
    "123 N / A St",
    "123 N.A. Street",
    "123 NA St",
    "123 Nowhere Rd",
    "123 None Ave",
    "123 Fake St",
    "123 Test St",
    "123 XXX St",
    "123 X X X St",
    "77 NW Any Ave",
    "123 Main St Apt TBD",
]


def test_placeholder_street_in_any_form_is_refused(reference: Agreement) -> None:
    codes = _each(reference, [{"address_line1": v, "address_line2": ""} for v in DISGUISED_STREETS])
    passed = [v for v, c in zip(DISGUISED_STREETS, codes, strict=True) if "ADDRESS_PLACEHOLDER" not in c]
    assert passed == []


REAL_STREETS = [
    "123 Anyway Rd",
    "123 Nonesuch Ln",
    "12 Test Valley Rd",
    "1 Any Town Rd",
    "123 N A St",  # North A Street
    "123 X St",  # lettered streets exist (Sacramento)
    "123 County Road XX",  # lettered county trunk highways
    "123 County Road NA",
    "45 Avenida de la Paz",
    "10 Downing St",
    "9 Nash Ave",
    "300 Tenant Ct",
]


def test_real_streets_that_contain_placeholder_letters_pass(reference: Agreement) -> None:
    codes = _each(reference, [{"address_line1": v, "address_line2": ""} for v in REAL_STREETS])
    assert {v: c for v, c in zip(REAL_STREETS, codes, strict=True) if c} == {}


DISGUISED_NAMES = [
    f"Unkn{CYRILLIC_O}wn",
    "\uff35\uff2e\uff2b\uff2e\uff2f\uff37\uff2e",  # fullwidth UNKNOWN
    "N\u200b/A",
    "\u039d/\u0391",  # Greek Ν/Α
    "\u0422\u0415\u0405\u0422",  # Cyrillic ТЕЅТ
    f"N{CYRILLIC_O}ne",
    "T\u0435st",  # Cyrillic е
    "X\u0425X",  # Cyrillic Х between Latin X
]


def test_names_that_fold_to_a_placeholder_are_refused(reference: Agreement) -> None:
    codes = _each(reference, [{"first_name": v} for v in DISGUISED_NAMES])
    passed = [v for v, c in zip(DISGUISED_NAMES, codes, strict=True) if "NAME_PLACEHOLDER" not in c]
    assert passed == []


REAL_NAMES = [
    ("José", "Núñez del Castillo"),
    ("Nguyễn Thị", "Lê"),
    ("Seán", "O'Brien"),
    ("Jürgen", "Müller"),
    ("María José", "García-López"),
    ("Иван", "Петров"),
    ("王", "芳"),
    ("Γιώργος", "Παπαδόπουλος"),
    ("Guðrún", "Ólafsdóttir"),
    ("Anon", "Tess"),
    ("Ji-woo", "Na"),
    ("Nasrin", "Nakamura-Smith"),
]


def test_real_names_in_any_script_pass(reference: Agreement) -> None:
    codes = _each(reference, [{"first_name": f, "last_name": last} for f, last in REAL_NAMES])
    assert {n: c for n, c in zip(REAL_NAMES, codes, strict=True) if c} == {}


# --- field lengths ---------------------------------------------------------------------------


def test_every_field_has_a_maximum_and_over_it_is_refused(reference: Agreement) -> None:
    from disclosure_gateway.gate.lengths import FIELD_MAX_CHARS

    fields = list(FIELD_MAX_CHARS)
    at = [record(i + 2, **{f: "A" * FIELD_MAX_CHARS[f]}) for i, f in enumerate(fields)]
    over = [record(i + 50, **{f: "B" * (FIELD_MAX_CHARS[f] + 1)}) for i, f in enumerate(fields)]
    r = check_records(frame(at + over), reference, request_date=REQUEST_DATE, workers=1)
    n = len(fields)
    assert [f for i, f in enumerate(fields) if "FIELD_TOO_LONG" in r.reasons(i)] == []
    assert [r.detail(n + i).get("FIELD_TOO_LONG") for i in range(n)] == [
        {"fields": [f]} for f in fields]


def test_an_over_long_line_never_reaches_the_address_parser(
    reference: Agreement, monkeypatch: pytest.MonkeyPatch
) -> None:
    from disclosure_gateway.gate.lengths import FIELD_MAX_CHARS

    seen: list[str] = []
    real = address_module.classify_many

    def spy(texts, *, workers=2):  # type: ignore[no-untyped-def]
        seen.extend(texts)
        return real(texts, workers=workers)

    monkeypatch.setattr(address_module, "classify_many", spy)
    recs = [record(2, address_line1="1 Elm St " + "B" * 50_000), record(3)]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert r.reasons(0) == ("FIELD_TOO_LONG",) and r.reasons(1) == ()
    assert seen and max(map(len, seen)) <= FIELD_MAX_CHARS["address_line1"]


def test_codes_from_other_fields_still_apply_next_to_field_too_long(reference: Agreement) -> None:
    codes = _codes(reference, relevance="x" * 5000, statute="18 U.S.C. 1001")
    assert set(codes) == {"FIELD_TOO_LONG", "STATUTE_NOT_PERMITTED"}


def test_different_over_long_requests_are_not_the_same_request(reference: Agreement) -> None:
    from disclosure_gateway.gate import InMemoryHistory

    history = InMemoryHistory()
    first = check_records(frame([record(2, relevance="a " * 3000)]), reference,
                          request_date=REQUEST_DATE, history=history, workers=1)
    history.record(first.history_entries(), on=REQUEST_DATE)
    other = check_records(frame([record(2, request_id="R-2", relevance="b " * 3000)]), reference,
                          request_date=REQUEST_DATE, history=history, workers=1)
    assert "RESUBMITTED_UNCHANGED" not in other.reasons(0)


def test_the_record_contract_publishes_the_same_maxima() -> None:
    from disclosure_gateway.gate.lengths import FIELD_MAX_CHARS

    props = json.loads(SCHEMA.read_text(encoding="utf-8"))["properties"]
    assert {f: props[f].get("maxLength") for f in FIELD_MAX_CHARS} == FIELD_MAX_CHARS
