"""Request and response bodies of the API, for validation and the OpenAPI schema.

Response models name the fields clients rely on and let the service add more
(``extra="allow"``): the service functions own the content, the API only its
shape on the wire.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class BatchStatus(_Open):
    batch_id: str
    status: str


class BatchSummary(_Open):
    batch_id: str
    requester_id: str | None = None
    status: str


class BatchDetail(_Open):
    batch_id: str
    status: str


class RequestRecord(BaseModel):
    """One request record of the interactive lane (the columns of a batch's records file)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"additionalProperties": False})

    request_id: str = Field(min_length=1, max_length=128)
    first_name: str | None = Field(default=None, max_length=200)
    middle_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    dob: str | None = Field(default=None, max_length=32)
    tin: str | None = Field(default=None, max_length=32)
    address_line1: str | None = Field(default=None, max_length=300)
    address_line2: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=200)
    state: str | None = Field(default=None, max_length=32)
    zip: str | None = Field(default=None, max_length=16)
    taxable_periods: str | None = Field(default=None, max_length=200)
    statute: str | None = Field(default=None, max_length=200)
    removal_order_date: str | None = Field(default=None, max_length=32)
    case_number: str | None = Field(default=None, max_length=64)
    investigating_officer: str | None = Field(default=None, max_length=200)
    relevance: str | None = Field(default=None, max_length=4000)


#: a test holds these to contracts.REQUEST_COLUMNS
RECORD_FIELDS: tuple[str, ...] = tuple(RequestRecord.model_fields)


class Answer(_Open):
    request_id: str
    answer: str
    reason_codes: list[str] = []


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    name: str
    role: str
    csrf_token: str = Field(description="send as X-CSRF-Token on every state-changing staff request")
    may: list[str] = Field(description="what this role may do")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: bool = Field(description="true: the request is this taxpayer; false: it is not")
    note: str = Field(min_length=1, max_length=2000, description="why (required, kept with the decision)")


class TinLookup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tin: str = Field(min_length=9, max_length=11, pattern=r"^\d{3}-?\d{2}-?\d{4}$")


class Suspension(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suspended: bool
    reason: str = Field(min_length=3, max_length=2000, description="why (required; goes into the ledger)")


class AgreementView(_Open):
    id: str
    title: str
    authority: str
    terms_hash: str
    requesters: list[dict[str, Any]]
    permitted_statutes: list[str]
    disclosure_mode: str
    status: dict[str, Any]
