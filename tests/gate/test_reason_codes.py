"""Every record reason code, table-driven: each case must produce its code.

Single-record cases change one valid record; scenario cases build several
records (duplicates, caseloads, probing) or two batches (history). A test at
the end fails when a code in reasons.py has no case here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from disclosure_gateway.agreement import Agreement
from disclosure_gateway.gate import ALL_CODES, InMemoryHistory, check_records

from .factories import REQUEST_DATE, agreement, frame, record

DOB_REQUIRED: dict[str, Any] = {"eligibility": {"require_birth_date": True}}

# (code, field overrides, agreement overrides or None)
SINGLE: list[tuple[str, dict[str, str], dict[str, Any] | None]] = [
    ("REQUEST_ID_MISSING", {"request_id": ""}, None),
    ("REQUEST_ID_MISSING", {"request_id": "   "}, None),
    ("NAME_MISSING", {"first_name": ""}, None),
    ("NAME_MISSING", {"last_name": "  "}, None),
    ("NAME_MISSING", {"last_name": "--"}, None),
    ("NAME_INVALID_CHARACTERS", {"first_name": "J0hn"}, None),
    ("NAME_INVALID_CHARACTERS", {"last_name": "Smith<script>"}, None),
    ("NAME_INVALID_CHARACTERS", {"middle_name": "A1"}, None),
    ("NAME_INVALID_CHARACTERS", {"first_name": "=HYPERLINK(1)"}, None),
    ("NAME_PLACEHOLDER", {"first_name": "UNKNOWN"}, None),
    ("NAME_PLACEHOLDER", {"last_name": "N/A"}, None),
    ("NAME_PLACEHOLDER", {"first_name": "FNU"}, None),
    ("NAME_PLACEHOLDER", {"last_name": "LNU"}, None),
    ("NAME_PLACEHOLDER", {"first_name": "XXX"}, None),
    ("NAME_PLACEHOLDER", {"first_name": "Test"}, None),
    ("NAME_PLACEHOLDER", {"last_name": "None"}, None),
    ("NAME_PLACEHOLDER", {"first_name": "Na", "last_name": "na"}, None),
    ("NAME_PLACEHOLDER", {"last_name": "NA"}, None),
    # --- address: the court's and the inspector general's examples ------------------
    (
        "ADDRESS_PLACEHOLDER",
        {"address_line1": "Don't Care 12345", "address_line2": "", "city": "", "state": "", "zip": ""},
        None,
    ),
    (
        "ADDRESS_NOT_STREET_ADDRESS",
        {"address_line1": "Don't Care 12345", "address_line2": "", "city": "", "state": "", "zip": ""},
        None,
    ),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "Don't Care", "address_line2": "", "zip": "12345"}, None),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "Failed to Provide", "address_line2": ""}, None),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "Unknown Address", "address_line2": ""}, None),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "NA NA", "address_line2": ""}, None),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "same as above", "address_line2": ""}, None),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "N/A", "address_line2": ""}, None),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "none", "address_line2": ""}, None),
    ("ADDRESS_PLACEHOLDER", {"zip": "00000"}, None),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "00000", "address_line2": "", "zip": ""}, None),
    ("ADDRESS_PLACEHOLDER", {"city": "Unknown"}, None),
    ("ADDRESS_PLACEHOLDER", {"address_line1": "0 Elm St"}, None),
    ("ADDRESS_MISSING", {"address_line1": "", "address_line2": "", "zip": ""}, None),
    ("ADDRESS_ZIP_ONLY", {"address_line1": "", "address_line2": "", "city": "", "state": ""}, None),
    ("ADDRESS_ZIP_ONLY", {"address_line1": "62704", "address_line2": ""}, None),
    (
        "ADDRESS_ZIP_ONLY",
        {"address_line1": "62704-1234", "address_line2": "", "city": "", "state": "", "zip": ""},
        None,
    ),
    ("ADDRESS_NOT_STREET_ADDRESS", {"address_line1": "Failed to Provide", "address_line2": ""}, None),
    ("ADDRESS_NOT_STREET_ADDRESS", {"address_line1": "c/o Family", "address_line2": ""}, None),
    ("ADDRESS_NOT_STREET_ADDRESS", {"address_line1": "Apt 4B", "address_line2": ""}, None),
    ("ADDRESS_NO_HOUSE_NUMBER", {"address_line1": "W Elm Street"}, None),
    ("ADDRESS_NO_HOUSE_NUMBER", {"address_line1": "2nd Avenue", "address_line2": ""}, None),
    ("ADDRESS_NO_HOUSE_NUMBER", {"address_line1": "9TH BLVD", "address_line2": ""}, None),
    ("ADDRESS_NO_HOUSE_NUMBER", {"address_line1": "Maple Ct", "address_line2": ""}, None),
    ("ADDRESS_NO_HOUSE_NUMBER", {"address_line1": "Kennedy Place", "address_line2": ""}, None),
    ("ADDRESS_NO_HOUSE_NUMBER", {"address_line1": "Elm St", "address_line2": ""}, None),
    ("ADDRESS_NO_STREET_NAME", {"address_line1": "1423 Apt 4", "address_line2": ""}, None),
    ("ADDRESS_UNPARSEABLE", {"address_line1": "7 Main St Apt 4 Apt 5", "address_line2": ""}, None),
    ("ADDRESS_FACILITY_ONLY", {"address_line1": "Otero County Processing Center", "address_line2": ""}, None),
    ("ADDRESS_FACILITY_ONLY", {"address_line1": "Harris County Jail", "address_line2": ""}, None),
    ("ADDRESS_FACILITY_ONLY", {"address_line1": "Broward Transitional Center"}, None),
    (
        "ADDRESS_FACILITY_ONLY",
        {"address_line1": "Krome Service Processing Center", "address_line2": "Dorm B"},
        None,
    ),
    ("ADDRESS_PO_BOX", {"address_line1": "PO Box 123", "address_line2": ""}, None),
    ("ADDRESS_PO_BOX", {"address_line1": "P.O. Box 77", "address_line2": ""}, None),
    ("ADDRESS_PO_BOX", {"address_line1": "Rural Route 2 Box 5", "address_line2": ""}, None),
    ("ADDRESS_PO_BOX", {"address_line1": "PMB 45", "address_line2": ""}, None),
    ("ADDRESS_GENERAL_DELIVERY", {"address_line1": "General Delivery", "address_line2": ""}, None),
    ("ADDRESS_LOCALITY_MISSING", {"city": "", "zip": ""}, None),
    ("ADDRESS_LOCALITY_MISSING", {"state": "", "zip": ""}, None),
    ("ADDRESS_STATE_INVALID", {"state": "XX"}, None),
    ("ADDRESS_STATE_INVALID", {"state": "Ilinois"}, None),
    ("ADDRESS_ZIP_INVALID", {"zip": "1234"}, None),
    ("ADDRESS_ZIP_INVALID", {"zip": "ABCDE"}, None),
    ("ADDRESS_ZIP_INVALID", {"zip": "99999"}, None),
    ("ADDRESS_ZIP_INVALID", {"zip": "00000"}, None),
    ("ADDRESS_ZIP_INVALID", {"zip": "62704-12"}, None),
    ("ADDRESS_ZIP_STATE_MISMATCH", {"zip": "10001"}, None),
    ("ADDRESS_ZIP_STATE_MISMATCH", {"state": "Texas"}, None),
    # --- periods, statute, removal order --------------------------------------------
    ("TAXABLE_PERIOD_MISSING", {"taxable_periods": ""}, None),
    ("TAXABLE_PERIOD_MALFORMED", {"taxable_periods": "last year"}, None),
    ("TAXABLE_PERIOD_MALFORMED", {"taxable_periods": "2023-13"}, None),
    ("TAXABLE_PERIOD_MALFORMED", {"taxable_periods": "23"}, None),
    ("TAXABLE_PERIOD_MALFORMED", {"taxable_periods": "2023-2021"}, None),
    ("TAXABLE_PERIOD_OUTSIDE_WINDOW", {"taxable_periods": "2015"}, None),
    ("TAXABLE_PERIOD_OUTSIDE_WINDOW", {"taxable_periods": "2018-2020"}, None),
    ("TAXABLE_PERIOD_OUTSIDE_WINDOW", {"taxable_periods": "2023; 2026"}, None),
    ("STATUTE_MISSING", {"statute": ""}, None),
    ("STATUTE_NOT_PERMITTED", {"statute": "18 U.S.C. 1001"}, None),
    ("STATUTE_NOT_PERMITTED", {"statute": "8 U.S.C. 1253"}, None),
    ("STATUTE_NOT_PERMITTED", {"statute": "8 U.S.C. 1326; 18 U.S.C. 1001"}, None),
    ("REMOVAL_ORDER_MISSING", {"removal_order_date": ""}, None),
    ("REMOVAL_ORDER_MISSING", {"removal_order_date": "N/A"}, None),
    ("REMOVAL_ORDER_MISSING", {"removal_order_date": "pending"}, None),
    ("REMOVAL_ORDER_DATE_MALFORMED", {"removal_order_date": "2024-02-30"}, None),
    ("REMOVAL_ORDER_DATE_MALFORMED", {"removal_order_date": "15/01/2024"}, None),
    ("REMOVAL_ORDER_DATE_MALFORMED", {"removal_order_date": "1899-12-31"}, None),
    ("REMOVAL_ORDER_DATE_MALFORMED", {"removal_order_date": "2024-1-5"}, None),
    ("REMOVAL_ORDER_IN_FUTURE", {"removal_order_date": "2026-01-01"}, None),
    ("REMOVAL_ORDER_NOT_FINAL", {"removal_order_date": "2026-01-01"}, None),
    ("REMOVAL_ORDER_NOT_FINAL", {"removal_order_date": "2025-09-01"}, None),
    # 89 days before the request date: one day short of final
    (
        "REMOVAL_ORDER_NOT_FINAL",
        {"removal_order_date": (REQUEST_DATE - timedelta(days=89)).isoformat()},
        None,
    ),
    # --- investigation ----------------------------------------------------------------
    ("CASE_NUMBER_MISSING", {"case_number": ""}, None),
    ("CASE_NUMBER_MALFORMED", {"case_number": "12345"}, None),
    ("CASE_NUMBER_MALFORMED", {"case_number": "hsi-2025-001234"}, None),
    ("CASE_NUMBER_MALFORMED", {"case_number": "HSI-2025-12"}, None),
    ("CASE_NUMBER_MALFORMED", {"case_number": "HSI-2025-001234x"}, None),
    ("OFFICER_MISSING", {"investigating_officer": ""}, None),
    ("OFFICER_MISSING", {"investigating_officer": " -- "}, None),
    ("RELEVANCE_INSUFFICIENT", {"relevance": ""}, None),
    ("RELEVANCE_INSUFFICIENT", {"relevance": "Address needed."}, None),
    ("RELEVANCE_INSUFFICIENT", {"relevance": "x" * 80}, None),
    ("RELEVANCE_INSUFFICIENT", {"relevance": "relevant relevant relevant relevant relevant"}, None),
    (
        "RELEVANCE_INSUFFICIENT",
        {"relevance": "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor."},
        None,
    ),
    ("RELEVANCE_INSUFFICIENT", {"relevance": "1234567890 1234567890 1234567890 1234567890 ab"}, None),
    # --- identifiers ------------------------------------------------------------------
    ("TIN_MALFORMED", {"tin": "123-45-678"}, None),
    ("TIN_MALFORMED", {"tin": "000-12-3456"}, None),
    ("TIN_MALFORMED", {"tin": "666-12-3456"}, None),
    ("TIN_MALFORMED", {"tin": "123-00-4567"}, None),
    ("TIN_MALFORMED", {"tin": "123-45-0000"}, None),
    ("TIN_MALFORMED", {"tin": "900-12-3456"}, None),  # ITIN area, group outside ITIN ranges
    ("TIN_MALFORMED", {"tin": "912-93-3456"}, None),  # 93 is not an ITIN group
    ("TIN_MALFORMED", {"tin": "078-05-1120"}, None),
    ("TIN_MALFORMED", {"tin": "12345678A"}, None),
    ("TIN_MALFORMED", {"tin": "123-456789"}, None),
    # birth-date codes refuse only where the agreement requires a birth date (else notes)
    ("DOB_MISSING", {"dob": ""}, DOB_REQUIRED),
    ("DOB_MISSING", {"dob": "  "}, DOB_REQUIRED),
    ("DOB_MALFORMED", {"dob": "1985-02-30"}, DOB_REQUIRED),
    ("DOB_MALFORMED", {"dob": "03/02/85"}, DOB_REQUIRED),
    ("DOB_MALFORMED", {"dob": "yesterday"}, DOB_REQUIRED),
    ("DOB_IMPLAUSIBLE", {"dob": "2030-01-01"}, DOB_REQUIRED),
    ("DOB_IMPLAUSIBLE", {"dob": "1880-01-01"}, DOB_REQUIRED),
    ("DOB_IMPLAUSIBLE", {"dob": "1899-12-31"}, DOB_REQUIRED),
    # --- field lengths --------------------------------------------------------------
    ("FIELD_TOO_LONG", {"address_line1": "1423 W Elm St " + "x" * 10_000}, None),
    ("FIELD_TOO_LONG", {"relevance": "word " * 1000}, None),
    ("FIELD_TOO_LONG", {"last_name": "a" * 101}, None),
    # --- policy-dependent -----------------------------------------------------------
    (
        "ADDRESS_NOT_STREET_ADDRESS",
        {"address_line1": "PO Box", "address_line2": ""},
        {"address": {"allow_po_box": True}},
    ),
    (
        "REMOVAL_ORDER_NOT_FINAL",
        {"removal_order_date": "2025-06-01"},
        {"eligibility": {"min_days_since_final_order": 180}},
    ),
    (
        "CASE_NUMBER_MALFORMED",
        {"case_number": "HSI-2025-001234"},
        {"eligibility": {"case_number_pattern": r"^(?!HSI)[A-Z]{2,5}-\d{4}-\d{4,8}$"}},
    ),
    (
        "TAXABLE_PERIOD_OUTSIDE_WINDOW",
        {"taxable_periods": "2023"},
        {"eligibility": {"taxable_period_earliest": 2024, "taxable_period_latest": 2025}},
    ),
]


def _codes_of(fields: dict[str, str], agr: Agreement) -> tuple[str, ...]:
    result = check_records(frame([record(**fields)]), agr, request_date=REQUEST_DATE, workers=1)
    return result.reasons(0)


@pytest.mark.parametrize(
    ("code", "fields", "overrides"),
    SINGLE,
    ids=[f"{c}:{'|'.join(f'{k}={v[:24]}' for k, v in f.items())}" for c, f, _ in SINGLE],
)
def test_single_record_case_yields_its_code(
    code: str, fields: dict[str, str], overrides: dict[str, Any] | None, reference: Agreement
) -> None:
    agr = agreement(**overrides) if overrides else reference
    codes = _codes_of(fields, agr)
    assert code in codes, codes


# Valid spellings and policies that must pass: each guards against a false refusal.
VALID_VARIANTS: list[tuple[dict[str, str], dict[str, Any] | None]] = [
    ({}, None),
    ({"first_name": "Seán", "last_name": "O'Brien"}, None),
    ({"first_name": "Jean-Luc", "middle_name": "St. John", "last_name": "D’Angelo"}, None),
    ({"first_name": "Nguyễn Thị", "last_name": "Lê"}, None),
    ({"first_name": "Ji-woo", "last_name": "Na"}, None),  # a real family name, not N/A
    ({"tin": "123-45-6789"}, None),
    ({"tin": "123456789"}, None),
    ({"tin": "912-70-1234"}, None),  # ITIN
    ({"tin": "988-94-0001"}, None),  # ITIN
    ({"dob": "03/02/1985"}, None),
    ({"dob": ""}, None),
    ({"dob": "1985-02-30"}, None),  # noted, not refused: a birth date is not a condition
    ({"dob": "2030-01-01"}, None),
    ({"dob": "03/02/1985"}, DOB_REQUIRED),
    ({"last_name": "a" * 100, "address_line1": "1423 W Elm St" + " " * 150}, None),  # at the caps
    ({"removal_order_date": "01/15/2024"}, None),
    ({"removal_order_date": (REQUEST_DATE - timedelta(days=90)).isoformat()}, None),
    ({"statute": "8 USC § 1253(a)(1)"}, None),
    ({"statute": "8 u.s.c. sec. 1326"}, None),
    ({"statute": "8 U.S.C. 1326; 8 U.S.C. 1253(b)"}, None),
    ({"taxable_periods": "2021-2023"}, None),
    ({"taxable_periods": "2022; 2023, 2024"}, None),
    ({"taxable_periods": "202312"}, None),
    ({"taxable_periods": "TY2024"}, None),
    ({"zip": "62704-1234"}, None),
    ({"zip": "627041234"}, None),
    ({"state": "Illinois"}, None),
    ({"state": "il"}, None),
    ({"zip": ""}, None),  # city and state suffice
    ({"city": "", "state": ""}, None),  # a ZIP suffices
    ({"address_line1": "Apt 4B", "address_line2": "1423 W Elm St"}, None),
    (
        {
            "address_line1": "1423 W Elm St, Springfield, IL 62704",
            "address_line2": "",
            "city": "",
            "state": "",
            "zip": "",
        },
        None,
    ),
    ({"address_line1": "45 Avenida de la Paz"}, None),
    ({"address_line1": "23 E 7th Road"}, None),
    ({"address_line1": "100 Interstate 45"}, None),
    ({"address_line2": "# A"}, None),  # a unit, not a placeholder
    ({"city": "Given", "state": "WV", "zip": "25245"}, None),  # a real town
    ({"first_name": "Anon"}, None),
    ({"address_line1": "22-15 31st St", "city": "Astoria", "state": "NY", "zip": "11105"}, None),
    ({"address_line1": "N123W456 Main St", "city": "Menomonee Falls", "state": "WI", "zip": "53051"}, None),
    (
        {
            "address_line1": "Otero County Processing Center",
            "address_line2": "26 McGregor Range Rd",
            "city": "Chaparral",
            "state": "NM",
            "zip": "88081",
        },
        None,
    ),
    ({"zip": "00501", "state": "NY", "city": "Holtsville"}, None),
    ({"address_line1": "PO Box 123", "address_line2": ""}, {"address": {"allow_po_box": True}}),
    (
        {"address_line1": "General Delivery", "address_line2": ""},
        {"address": {"allow_general_delivery": True}},
    ),
    ({"removal_order_date": ""}, {"eligibility": {"require_final_removal_order": False}}),
    ({"case_number": ""}, {"eligibility": {"require_case_number": False}}),
    ({"investigating_officer": ""}, {"eligibility": {"require_investigating_officer": False}}),
    ({"investigating_officer": "Иван Петров"}, None),  # an officer named in another script
    ({"investigating_officer": "王伟"}, None),
    ({"investigating_officer": "Whitfield, Dana"}, None),
]


@pytest.mark.parametrize(("fields", "overrides"), VALID_VARIANTS)
def test_valid_spellings_pass(
    fields: dict[str, str], overrides: dict[str, Any] | None, reference: Agreement
) -> None:
    agr = agreement(**overrides) if overrides else reference
    assert _codes_of(fields, agr) == ()


def test_every_applicable_code_is_reported_not_only_the_first(reference: Agreement) -> None:
    fields = {
        "first_name": "UNKNOWN",
        "address_line1": "Don't Care 12345",
        "address_line2": "",
        "city": "",
        "state": "",
        "zip": "",
        "taxable_periods": "2010",
        "statute": "",
        "removal_order_date": "2025-09-30",
        "case_number": "",
        "investigating_officer": "",
        "relevance": "",
        "tin": "000-00-0000",
        "dob": "2031-01-01",
    }
    assert set(_codes_of(fields, reference)) == {
        "NAME_PLACEHOLDER",
        "ADDRESS_PLACEHOLDER",
        "ADDRESS_NOT_STREET_ADDRESS",
        "ADDRESS_STATE_INVALID",
        "TAXABLE_PERIOD_OUTSIDE_WINDOW",
        "STATUTE_MISSING",
        "REMOVAL_ORDER_NOT_FINAL",
        "CASE_NUMBER_MISSING",
        "OFFICER_MISSING",
        "RELEVANCE_INSUFFICIENT",
        "TIN_MALFORMED",
    }
    # the impossible birth date is reported, as a note: it refuses nothing on its own
    r = check_records(frame([record(**fields)]), reference, request_date=REQUEST_DATE, workers=1)
    assert r.notes(0) == ("DOB_IMPLAUSIBLE",)


# --- scenarios over several records ------------------------------------------------------


def _people(n: int, **fields: str) -> list[dict[str, str]]:
    return [record(i + 2, **fields) for i in range(n)]


def test_request_id_duplicate_flags_every_holder(reference: Agreement) -> None:
    recs = [record(2), record(3, request_id="R-000002"), record(4)]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert [("REQUEST_ID_DUPLICATE" in r.reasons(i)) for i in range(3)] == [True, True, False]


def test_duplicate_person_in_batch_flags_the_later_requests_only(reference: Agreement) -> None:
    first = record(2)  # 102 W Elm St
    again = record(
        3,
        first_name="MARIA JOSE",
        last_name="GARCIA LOPEZ",
        dob=first["dob"],
        address_line1="102 West Elm Street",
        address_line2="",
    )
    r = check_records(frame([first, again, record(4)]), reference, request_date=REQUEST_DATE, workers=1)
    assert r.reasons(0) == ()
    assert r.reasons(1) == ("DUPLICATE_IN_BATCH",)
    assert r.reasons(2) == ()


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"zip": "10001", "state": "NY", "city": "New York"},
        {"address_line1": "377 S Oak Rd"},  # same ZIP, another house
    ],
)
def test_namesakes_born_the_same_day_elsewhere_are_not_duplicates(
    elsewhere: dict[str, str], reference: Agreement
) -> None:
    one = record(2, first_name="James", last_name="Rose", dob="1971-05-14")
    other = record(3, first_name="JAMES", last_name="ROSE", dob="1971-05-14", **elsewhere)
    r = check_records(frame([one, other]), reference, request_date=REQUEST_DATE, workers=1)
    assert [r.reasons(0), r.reasons(1)] == [(), ()]


def test_sr_jr_and_iii_with_their_middle_initials_are_not_probing(reference: Agreement) -> None:
    family = [("B", "1950-01-01"), ("", "1975-01-01"), ("C", "2001-01-01")]
    recs = [
        record(
            i + 2, first_name="John", last_name="Ford", middle_name=m, dob=d, address_line1="17 Lakeview St"
        )
        for i, (m, d) in enumerate(family)
    ]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert [r.reasons(i) for i in range(3)] == [()] * 3


@pytest.mark.parametrize(("named", "flagged"), [(3, False), (4, True)])
def test_officer_caseload_over_the_cap_refuses_all_their_records(named: int, flagged: bool) -> None:
    agr = agreement(eligibility={"max_open_investigations_per_officer": 3})
    spellings = [
        "Agent Dana Whitfield",
        "agent  dana whitfield",
        "AGENT DANA WHITFIELD.",
        "Agent Dana Whitfield",
    ]
    recs = [record(i + 2, investigating_officer=spellings[i]) for i in range(named)]
    recs.append(record(40, investigating_officer="Agent Lee Park"))
    r = check_records(frame(recs), agr, request_date=REQUEST_DATE, workers=1)
    hits = ["OFFICER_CASELOAD_IMPLAUSIBLE" in r.reasons(i) for i in range(len(recs))]
    assert hits == [flagged] * named + [False]


@pytest.mark.parametrize(("variants", "flagged"), [(2, False), (3, True)])
def test_probing_one_name_at_one_address_with_many_birth_dates(
    variants: int, flagged: bool, reference: Agreement
) -> None:
    # Jr/Sr at one address (two birth dates) is ordinary; a third is a guess.
    recs = [
        record(
            i + 2, first_name="Luis", last_name="Ortega", address_line1="77 Pine St", dob=f"19{70 + i}-05-05"
        )
        for i in range(variants)
    ]
    recs.append(record(30))
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    hits = ["PROBING_SUSPECTED" in r.reasons(i) for i in range(len(recs))]
    assert hits == [flagged] * variants + [False]
    assert r.summary().probing_records == (variants if flagged else 0)
    assert r.summary().probing_groups["dob_by_name_street"] == int(flagged)


GIVEN = ["Ana", "Beto", "Carla", "Diego", "Elena", "Fabio", "Gloria", "Hugo"]


@pytest.mark.parametrize("dob", ["", "1990-02-02"])
@pytest.mark.parametrize(("names", "flagged"), [(6, False), (7, True)])
def test_probing_one_address_with_many_names(
    names: int, flagged: bool, dob: str, reference: Agreement
) -> None:
    # many names, one birth date (or none), one address: guessing who lives there
    recs = [
        record(i + 2, first_name=GIVEN[i], address_line1="500 Cedar Ave", address_line2="Unit 9", dob=dob)
        for i in range(names)
    ]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert all(("PROBING_SUSPECTED" in r.reasons(i)) == flagged for i in range(names))
    assert r.summary().probing_groups["name_by_address"] == int(flagged)


def test_a_large_household_is_not_probing(reference: Agreement) -> None:
    # eight people at one address, each with their own birth date
    recs = [record(i + 2, first_name=GIVEN[i], address_line1="500 Cedar Ave") for i in range(8)]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert [r.reasons(i) for i in range(8)] == [()] * 8


def test_probing_one_person_across_many_zips(reference: Agreement) -> None:
    places = [("62704", "IL"), ("10001", "NY"), ("73301", "TX"), ("90001", "CA")]
    recs = [record(i + 2, dob="1979-11-11", zip=z, state=s, city="Town") for i, (z, s) in enumerate(places)]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert all("PROBING_SUSPECTED" in r.reasons(i) for i in range(4))
    assert r.summary().probing_groups["zip_by_name_dob"] == 1
    # the same person in three ZIPs stays within the limit (but is a duplicate)
    r3 = check_records(frame(recs[:3]), reference, request_date=REQUEST_DATE, workers=1)
    assert not any("PROBING_SUSPECTED" in r3.reasons(i) for i in range(3))


# --- scenarios over two batches (history) ----------------------------------------------


def _run(recs: list[dict[str, str]], agr: Agreement, history: InMemoryHistory, days: int):
    day = REQUEST_DATE + timedelta(days=days)
    r = check_records(
        frame(recs), agr, request_date=day, history=history, workers=1, hash_key=b"test-ledger-secret"
    )
    history.record(r.history_entries(), on=day)
    return r


@pytest.mark.parametrize(("gap", "flagged"), [(30, True), (181, False)])
def test_rerequest_within_window(gap: int, flagged: bool, reference: Agreement) -> None:
    history = InMemoryHistory()
    assert _run([record(2)], reference, history, 0).reasons(0) == ()
    later = _run([record(2, request_id="R-NEW")], reference, history, gap)
    assert ("REREQUEST_WITHIN_WINDOW" in later.reasons(0)) == flagged


def test_refused_request_coming_back_unchanged(reference: Agreement) -> None:
    history = InMemoryHistory()
    bad = record(2, statute="18 U.S.C. 1001")
    assert "STATUTE_NOT_PERMITTED" in _run([bad], reference, history, 0).reasons(0)
    again = _run([dict(bad, request_id="R-AGAIN")], reference, history, 10)
    assert set(again.reasons(0)) == {"STATUTE_NOT_PERMITTED", "RESUBMITTED_UNCHANGED"}
    # corrected, it passes: a refused request is not a re-request
    fixed = _run([dict(bad, request_id="R-FIXED", statute="8 U.S.C. 1326")], reference, history, 20)
    assert fixed.reasons(0) == ()


def test_probing_across_batches(reference: Agreement) -> None:
    history = InMemoryHistory()
    person = {"first_name": "Luis", "last_name": "Ortega", "address_line1": "77 Pine St"}
    first = _run(
        [record(2, dob="1970-05-05", **person), record(3, dob="1971-05-05", **person)], reference, history, 0
    )
    assert first.summary().probing_records == 0
    second = _run([record(4, dob="1972-05-05", **person)], reference, history, 20)
    assert "PROBING_SUSPECTED" in second.reasons(0)
    # outside the probe window the earlier variants no longer count
    history2 = InMemoryHistory()
    _run(
        [record(2, dob="1970-05-05", **person), record(3, dob="1971-05-05", **person)], reference, history2, 0
    )
    late = _run([record(4, dob="1972-05-05", **person)], reference, history2, 91)
    assert "PROBING_SUSPECTED" not in late.reasons(0)


def test_history_sees_only_keyed_digests(reference: Agreement) -> None:
    recs = [record(2)]
    a = check_records(
        frame(recs), reference, request_date=REQUEST_DATE, workers=1, hash_key=b"one"
    ).history_entries()
    b = check_records(
        frame(recs), reference, request_date=REQUEST_DATE, workers=1, hash_key=b"two"
    ).history_entries()
    assert a.identity != b.identity
    text = repr(a)
    for value in ("GARCIA", "García", "1985", "Elm", "62704"):
        assert value not in text


# --- the table covers every code --------------------------------------------------------

SCENARIO_CODES = {
    "REQUEST_ID_DUPLICATE",
    "DUPLICATE_IN_BATCH",
    "OFFICER_CASELOAD_IMPLAUSIBLE",
    "PROBING_SUSPECTED",
    "REREQUEST_WITHIN_WINDOW",
    "RESUBMITTED_UNCHANGED",
}


def test_every_reason_code_has_a_case() -> None:
    covered = {c for c, _, _ in SINGLE} | SCENARIO_CODES
    assert set(ALL_CODES) - covered == set()
