"""Property: no record without a valid street address ever passes the gate.

Hypothesis builds address lines that cannot be a street address — no digit
(so no house number), digits only (no street name), placeholders, ZIP codes
alone, facilities and boxes, with or without a plausible city/state/ZIP —
and every such record must be refused with an address code. A second
property checks the other half: whatever the lines, a record that passes has
a ZIP that exists in the state given, or a city and a state.
"""

from __future__ import annotations

import string

import zipcodes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure_gateway.gate import check_records
from disclosure_gateway.gate.zipdata import STATE_CODES, state_index, zip_state

from .factories import REQUEST_DATE, agreement, frame, record

AGREEMENT = agreement()

PLACEHOLDERS = [
    "Don't Care",
    "Don't Care 12345",
    "Failed to Provide",
    "Unknown Address",
    "NA NA",
    "N/A",
    "none",
    "same as above",
    "00000",
    "UNKNOWN",
    "not provided",
    "XXX",
    "TBD",
]
FACILITIES = [
    "Otero County Processing Center",
    "Harris County Jail",
    "Stewart Detention Center",
    "FCI Aliceville",
    "Adelanto ICE Processing Center",
    "Krome SPC",
]
BOXES = ["PO Box 12", "P.O. Box 7", "Rural Route 3 Box 9", "General Delivery", "PMB 45"]

no_digit_text = st.text(alphabet=string.ascii_letters + " .,'#-/áéñ", min_size=0, max_size=40)
digits_only = st.from_regex(r"\A[0-9 -]{1,12}\Z", fullmatch=True)
zip_only = st.sampled_from(["62704", "10001", "12345", "00000", "99999", "62704-1234"])
not_street = st.one_of(
    no_digit_text,
    digits_only,
    zip_only,
    st.sampled_from(PLACEHOLDERS),
    st.sampled_from(FACILITIES),
    st.sampled_from(BOXES),
    st.builds(lambda p, z: f"{p} {z}", st.sampled_from(PLACEHOLDERS + FACILITIES), zip_only),
)
localities = st.sampled_from(
    [
        ("Springfield", "IL", "62704"),
        ("", "", "12345"),
        ("", "", ""),
        ("Austin", "TX", ""),
        ("", "", "00000"),
        ("New York", "NY", "10001"),
    ]
)


def _address_codes(result_codes: tuple[str, ...]) -> set[str]:
    return {c for c in result_codes if c.startswith("ADDRESS_")}


# Each example is a batch of records, judged in one gate call: many more
# addresses per second than one record at a time.
no_street_records = st.lists(
    st.tuples(not_street, st.one_of(st.just(""), no_digit_text, digits_only), localities),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=no_street_records)
def test_no_record_without_a_street_address_passes(
    batch: list[tuple[str, str, tuple[str, str, str]]],
) -> None:
    recs = [
        record(i + 2, address_line1=l1, address_line2=l2, city=c, state=s, zip=z)
        for i, (l1, l2, (c, s, z)) in enumerate(batch)
    ]
    result = check_records(frame(recs), AGREEMENT, request_date=REQUEST_DATE, workers=1)
    for i, (l1, l2, place) in enumerate(batch):
        assert not result.accepted[i], (l1, l2, place)
        assert _address_codes(result.reasons(i)), (l1, l2, place, result.reasons(i))


street_like = st.builds(
    lambda n, name, kind: f"{n} {name} {kind}",
    st.integers(min_value=1, max_value=99999),
    st.sampled_from(["Elm", "Oak", "Main", "Martin Luther King Jr", "5th", "Calle Sol"]),
    st.sampled_from(["St", "Ave", "Blvd", "Rd", "Ln", ""]),
)
any_zip = st.one_of(st.from_regex(r"\A[0-9]{5}\Z", fullmatch=True), zip_only, st.just(""))
any_state = st.sampled_from(["IL", "NY", "TX", "CA", "Illinois", "XX", ""])


any_records = st.lists(
    st.tuples(st.one_of(street_like, not_street), any_zip, any_state, st.sampled_from(["Springfield", ""])),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=any_records)
def test_a_passing_record_has_a_real_locality(batch: list[tuple[str, str, str, str]]) -> None:
    recs = [
        record(i + 2, address_line1=l1, address_line2="", city=c, state=s, zip=z)
        for i, (l1, z, s, c) in enumerate(batch)
    ]
    result = check_records(frame(recs), AGREEMENT, request_date=REQUEST_DATE, workers=1)
    for i, (line1, zip_, state, city) in enumerate(batch):
        if not result.accepted[i]:
            continue
        assert any(ch.isdigit() for ch in line1) and any(ch.isalpha() for ch in line1)
        if zip_:
            assert zipcodes.is_real(zip_)
            assert state == "" or zip_state(zip_[:5]) == STATE_CODES[state_index(state) - 1]
        else:
            assert city and state not in ("", "XX")
