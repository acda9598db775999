"""Every record reason code of the legal-sufficiency gate, with its message.

This module is the single source of the codes: rules refer to them through
:data:`REASONS`, the reports print :func:`message`, and ``docs/reason-codes.md``
documents each one (a test fails when a code here is missing there). Codes are
stable identifiers: once published, a code keeps its name and meaning; a new
rule gets a new code.

Each code names the request field it concerns, so a refusal tells the
requester what to fix without revealing anything about any taxpayer.

A few codes are *notes* unless the agreement makes their field a condition
(``Reason.note_unless`` names the switch): a note is reported with the record
but does not refuse it. Today these are the birth-date codes: 26 U.S.C.
6103(i)(2) asks for the taxpayer's name and address, so a birth date is
evidence for matching, not a condition of the request, unless an agreement
says so (``[eligibility] require_birth_date``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    #: the request field (or fields) the reason is about
    field: str
    message: str
    #: the agreement switch that makes this code a refusal; without it, a note ("" = always refuses)
    note_unless: str = ""

    @property
    def fields(self) -> frozenset[str]:
        """The request columns named in :attr:`field`."""
        return frozenset(f.strip() for f in self.field.split(",") if f.strip().isidentifier())


_TABLE: tuple[Reason, ...] = (
    # --- the request itself ---------------------------------------------------
    Reason("REQUEST_ID_MISSING", "request_id", "The record has no request id."),
    Reason("REQUEST_ID_DUPLICATE", "request_id",
           "The request id is used by more than one record in the batch."),
    Reason("FIELD_TOO_LONG", "(any field)",
           "A field is longer than the request record contract allows for it; it was "
           "not read. The refusal's detail names the field."),
    # --- name -----------------------------------------------------------------
    Reason("NAME_MISSING", "first_name, last_name",
           "The taxpayer's given name or family name is missing."),
    Reason("NAME_INVALID_CHARACTERS", "first_name, middle_name, last_name",
           "A name contains characters that are not name characters "
           "(letters, spaces, hyphen, apostrophe, period)."),
    Reason("NAME_PLACEHOLDER", "first_name, last_name",
           "A name is a placeholder (UNKNOWN, N/A, TEST, XXX, FNU/LNU, ...), not a person's name."),
    # --- address --------------------------------------------------------------
    Reason("ADDRESS_MISSING", "address_line1",
           "The request sets forth no address for the taxpayer."),
    Reason("ADDRESS_PLACEHOLDER", "address_line1, address_line2, city, zip",
           "The address is placeholder text (\"Don't Care\", \"Failed to Provide\", "
           "\"Unknown Address\", \"NA NA\", \"00000\", \"same as above\", ...)."),
    Reason("ADDRESS_ZIP_ONLY", "address_line1",
           "Only a ZIP code is given; a ZIP code alone is not an address."),
    Reason("ADDRESS_NOT_STREET_ADDRESS", "address_line1",
           "The address has neither a house number nor a street name; "
           "it is not a street address."),
    Reason("ADDRESS_NO_HOUSE_NUMBER", "address_line1", "The street address has no house number."),
    Reason("ADDRESS_NO_STREET_NAME", "address_line1", "The street address has no street name."),
    Reason("ADDRESS_UNPARSEABLE", "address_line1",
           "The address line could not be read as one street address "
           "(parts repeat or conflict)."),
    Reason("ADDRESS_FACILITY_ONLY", "address_line1",
           "A jail or detention facility is named without a street address; "
           "that is not the taxpayer's address."),
    Reason("ADDRESS_PO_BOX", "address_line1",
           "A post office box (or rural route box) is given; the agreement requires "
           "a street address."),
    Reason("ADDRESS_GENERAL_DELIVERY", "address_line1",
           "General delivery is given; the agreement requires a street address."),
    Reason("ADDRESS_LOCALITY_MISSING", "city, state, zip",
           "The address has neither a city and state nor a ZIP code."),
    Reason("ADDRESS_STATE_INVALID", "state", "The state is not a US state, territory or APO/FPO code."),
    Reason("ADDRESS_ZIP_INVALID", "zip",
           "The ZIP code is malformed or does not exist."),
    Reason("ADDRESS_ZIP_STATE_MISMATCH", "zip, state", "The ZIP code does not belong to the state given."),
    # --- taxable periods ------------------------------------------------------
    Reason("TAXABLE_PERIOD_MISSING", "taxable_periods", "No taxable period is given."),
    Reason("TAXABLE_PERIOD_MALFORMED", "taxable_periods",
           "A taxable period is not a year (YYYY), a year range (YYYY-YYYY) or a "
           "month period (YYYYMM or YYYY-MM)."),
    Reason("TAXABLE_PERIOD_OUTSIDE_WINDOW", "taxable_periods",
           "A taxable period lies outside the window the agreement permits."),
    # --- statute --------------------------------------------------------------
    Reason("STATUTE_MISSING", "statute", "No statutory authority for the investigation is given."),
    Reason("STATUTE_NOT_PERMITTED", "statute",
           "The statute is not one the agreement permits."),
    # --- removal order --------------------------------------------------------
    Reason("REMOVAL_ORDER_MISSING", "removal_order_date",
           "No date of a final order of removal is given."),
    Reason("REMOVAL_ORDER_DATE_MALFORMED", "removal_order_date",
           "The removal order date is not a valid date (YYYY-MM-DD or MM/DD/YYYY)."),
    Reason("REMOVAL_ORDER_IN_FUTURE", "removal_order_date",
           "The removal order date is after the request date."),
    Reason("REMOVAL_ORDER_NOT_FINAL", "removal_order_date",
           "The removal order has not been final for the minimum number of days the "
           "agreement requires before the request date."),
    # --- investigation --------------------------------------------------------
    Reason("CASE_NUMBER_MISSING", "case_number",
           "No criminal investigation case number is given."),
    Reason("CASE_NUMBER_MALFORMED", "case_number",
           "The case number does not have the format the agreement requires."),
    Reason("OFFICER_MISSING", "investigating_officer",
           "No investigating officer personally and directly engaged in the case is named."),
    Reason("OFFICER_CASELOAD_IMPLAUSIBLE", "investigating_officer",
           "The officer (however the name is written) is named on more open investigations, "
           "in this batch and the batches within the agreement's caseload window, than the "
           "agreement's cap per officer; personal and direct engagement is implausible. The "
           "refusal's detail gives the number claimed."),
    Reason("RELEVANCE_INSUFFICIENT", "relevance",
           "The statement of why the information is relevant is missing, too short "
           "or not meaningful text."),
    # --- identifiers ----------------------------------------------------------
    Reason("TIN_MALFORMED", "tin",
           "The TIN is not a well-formed SSN or ITIN (nine digits; SSN area, group and "
           "serial rules; ITIN digit ranges)."),
    Reason("DOB_MISSING", "dob", "No date of birth is given.",
           note_unless="eligibility.require_birth_date"),
    Reason("DOB_MALFORMED", "dob", "The date of birth is not a valid date (YYYY-MM-DD or MM/DD/YYYY).",
           note_unless="eligibility.require_birth_date"),
    Reason("DOB_IMPLAUSIBLE", "dob",
           "The date of birth is in the future or more than 120 years before the request.",
           note_unless="eligibility.require_birth_date"),
    # --- repeats and probing --------------------------------------------------
    Reason("DUPLICATE_IN_BATCH", "first_name, last_name, dob, address",
           "The same person at the same address is requested more than once in the "
           "batch; only the first request stands."),
    Reason("REREQUEST_WITHIN_WINDOW", "first_name, last_name, dob, address",
           "The same person at the same address was requested within the agreement's "
           "re-request window."),
    Reason("RESUBMITTED_UNCHANGED", "(record)",
           "This request was refused before and has come back unchanged."),
    Reason("PROBING_SUSPECTED", "first_name, last_name, dob, address",
           "The record is one of many near-variants of one identity (one name with "
           "many birth dates, one address with many names, or one person across many "
           "ZIP codes), which would reveal what the custodian holds."),
)

#: every reason, by code, in documentation order
REASONS: dict[str, Reason] = {r.code: r for r in _TABLE}
#: the codes in a fixed order (the column order of a gate result's flag matrix)
ALL_CODES: tuple[str, ...] = tuple(REASONS)


def message(code: str) -> str:
    """The human message of a reason code (KeyError for an unknown code)."""
    return REASONS[code].message


def describe(code: str, detail: dict[str, object] | None = None) -> str:
    """The message, followed by the record's detail for this code where there is one.

    ``describe("OFFICER_CASELOAD_IMPLAUSIBLE", {"claimed": 300, "cap": 200, "window_days": 365})``
    ends "(claimed: 300; cap: 200; window_days: 365)".
    """
    text = message(code)
    if not detail:
        return text
    parts = [f"{k}: {', '.join(map(str, v)) if isinstance(v, list | tuple) else v}"
             for k, v in detail.items()]
    return f"{text} ({'; '.join(parts)})"
