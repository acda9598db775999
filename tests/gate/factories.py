"""Small factories for gate tests: a valid request record, a frame, the reference agreement."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure_gateway.agreement import Agreement, parse_agreement
from disclosure_gateway.contracts import REQUEST_COLUMNS

REFERENCE = Path(__file__).resolve().parents[2] / "agreements" / "irs-ice-2025.toml"
#: the date the test requests are judged on (inside the reference agreement's term)
REQUEST_DATE = date(2025, 10, 1)

VALID: dict[str, str] = {
    "request_id": "R-000001",
    "first_name": "María José",
    "middle_name": "",
    "last_name": "García-López",
    "dob": "1985-03-02",
    "tin": "",
    "address_line1": "1423 W Elm St",
    "address_line2": "Apt 4B",
    "city": "Springfield",
    "state": "IL",
    "zip": "62704",
    "taxable_periods": "2023",
    "statute": "8 U.S.C. 1253(a)(1)",
    "removal_order_date": "2024-01-15",
    "case_number": "HSI-2025-001234",
    "investigating_officer": "Special Agent Dana Whitfield",
    "relevance": (
        "Subject failed to depart within ninety days of a final removal order and is the "
        "target of an open criminal investigation; a current address is needed to serve process."
    ),
}


def agreement_data(**sections: dict[str, Any]) -> dict[str, Any]:
    data = tomllib.loads(REFERENCE.read_text(encoding="utf-8"))
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return data


def agreement(**sections: dict[str, Any]) -> Agreement:
    """The reference agreement, with table values overridden: agreement(address={...})."""
    return parse_agreement(agreement_data(**sections), where="test")


def record(n: int = 1, **fields: str) -> dict[str, str]:
    """A valid record with its own request id (and distinct person), fields overridden."""
    rec = dict(VALID, request_id=f"R-{n:06d}")
    if n != 1:
        # a distinct person at a distinct house, so repeat rules stay quiet
        rec["dob"] = f"19{50 + n % 45:02d}-0{1 + n % 9}-1{n % 10}"
        rec["address_line1"] = f"{100 + n} W Elm St"
    rec.update(fields)
    return rec


def frame(records: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=list(REQUEST_COLUMNS), dtype="string[pyarrow]")
