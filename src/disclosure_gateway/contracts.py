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
    "true_tin",          # the taxpayer the request really refers to, or null
    "address_is_last_known",  # whether the submitted address is that taxpayer's last known one
    "corruptions",       # list of realism kinds applied (nickname, swap, typo, ...)
    "defects",           # list of legal defect kinds (expected reason codes' families)
)

#: files of a batch directory
MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "manifest.sig"
TRUTH_FILE = "truth.parquet"
RECORD_FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")
