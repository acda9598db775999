"""Data contracts: the column names every part of the gateway agrees on.

Documented for people in docs/data-contracts.md, with JSON Schemas under
docs/schemas/. A test holds this module and the docs to the same lists.
"""

from __future__ import annotations

#: columns of a request record, in file order
REQUEST_COLUMNS: tuple[str, ...] = (
    "request_id",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "tin",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "taxable_periods",
    "statute",
    "removal_order_date",
    "case_number",
    "investigating_officer",
    "relevance",
)

#: request columns that must be present in the file (values may still be empty)
REQUIRED_REQUEST_COLUMNS: frozenset[str] = frozenset(REQUEST_COLUMNS)

#: columns of the taxpayer master file (one row per address held; newest = last known)
MASTER_COLUMNS: tuple[str, ...] = (
    "tin",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "address_as_of",
    "last_tax_year",
)

#: columns of the standalone linkage input (`dgw match`), for either side
LINKAGE_COLUMNS: tuple[str, ...] = (
    "record_id",
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "tin",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
)

#: columns of truth.parquet written beside a synthetic batch
TRUTH_COLUMNS: tuple[str, ...] = (
    "request_id",
    "true_tin",  # the taxpayer the request really refers to, or null
    "address_is_last_known",  # whether the submitted address is that taxpayer's last known one
    "corruptions",  # list of realism kinds applied (nickname, swap, typo, ...)
    "defects",  # list of legal defect kinds (expected reason codes' families)
)

#: files of a batch directory
MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "manifest.sig"
TRUTH_FILE = "truth.parquet"
RECORD_FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")

#: Legal defects the synthetic generator plants, and the gate reason codes that
#: count as catching each one (a refused record with any of these codes caught
#: it). The gate owns the full list of reason codes (gate/reasons.py); these are
#: the ones the generator's truth must be checked against.
DEFECT_REASONS: dict[str, frozenset[str]] = {
    # the court's examples: "Don't Care 12345", "Failed to Provide", "Unknown Address", "NA NA"
    "address_placeholder": frozenset(
        {"ADDRESS_PLACEHOLDER", "ADDRESS_NO_HOUSE_NUMBER", "ADDRESS_NOT_STREET_ADDRESS"}
    ),
    "address_zero_zip": frozenset({"ADDRESS_ZIP_INVALID", "ADDRESS_PLACEHOLDER"}),
    "address_zip_only": frozenset({"ADDRESS_ZIP_ONLY", "ADDRESS_NOT_STREET_ADDRESS"}),
    "address_no_house_number": frozenset({"ADDRESS_NO_HOUSE_NUMBER"}),
    "address_facility_only": frozenset({"ADDRESS_FACILITY_ONLY"}),
    "address_po_box": frozenset({"ADDRESS_PO_BOX"}),
    "address_zip_state_mismatch": frozenset({"ADDRESS_ZIP_STATE_MISMATCH"}),
    "name_placeholder": frozenset({"NAME_PLACEHOLDER", "NAME_MISSING"}),
    "statute_not_permitted": frozenset({"STATUTE_NOT_PERMITTED", "STATUTE_MISSING"}),
    "order_not_final": frozenset({"REMOVAL_ORDER_NOT_FINAL"}),
    "order_missing": frozenset({"REMOVAL_ORDER_MISSING"}),
    "case_number_missing": frozenset({"CASE_NUMBER_MISSING", "CASE_NUMBER_MALFORMED"}),
    "officer_implausible": frozenset({"OFFICER_CASELOAD_IMPLAUSIBLE"}),
    "taxable_period_outside": frozenset({"TAXABLE_PERIOD_OUTSIDE_WINDOW", "TAXABLE_PERIOD_MISSING"}),
    "relevance_missing": frozenset({"RELEVANCE_INSUFFICIENT"}),
    "tin_malformed": frozenset({"TIN_MALFORMED"}),
}
DEFECT_KINDS: tuple[str, ...] = tuple(DEFECT_REASONS)
