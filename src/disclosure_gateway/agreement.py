"""The written agreement as code.

An agreement file (TOML) states who may ask, for what, under which authority, and
how the custodian answers. It is parsed into these pydantic models; anything
unknown or invalid is refused with every offending field named.

Version identity: ``Agreement.terms_hash`` is SHA-256 over the RFC 8785 JSON of
the parsed model *without* its ``status`` table. Status (suspension, the
recipient's safeguard standing) changes while the terms stay the same; the
terms hash is what batches name and what every decision records.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .canonical import canonical_hash
from .errors import AgreementError, InputError
from .keys import key_id_of, public_from_b64


def _check_key(text: str) -> None:
    # pydantic reports ValueError against the field's path; our InputError would escape it.
    try:
        public_from_b64(text)
    except AgreementError as e:
        raise ValueError(e.message) from e
    except InputError as e:
        raise ValueError(e.message) from e


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Party(_Strict):
    agency: str = Field(min_length=1)
    name: str = Field(min_length=1)


class Custodian(Party):
    #: base64 raw Ed25519 key that signs responses and ledger checkpoints
    public_key: str | None = None

    @field_validator("public_key")
    @classmethod
    def _key(cls, v: str | None) -> str | None:
        if v is not None:
            _check_key(v)
        return v


class Requester(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    title: str = Field(min_length=1)
    public_key: str

    @field_validator("public_key")
    @classmethod
    def _key(cls, v: str) -> str:
        _check_key(v)
        return v

    @property
    def key_id(self) -> str:
        import base64

        return key_id_of(base64.b64decode(self.public_key))


class Eligibility(_Strict):
    """What a request record must carry to be legally sufficient under this agreement."""

    require_final_removal_order: bool = True
    min_days_since_final_order: int = Field(default=90, ge=0)
    require_case_number: bool = True
    #: regular expression a criminal investigation case number must match in full
    case_number_pattern: str = r"^[A-Z]{2,5}-\d{4}-\d{4,8}$"
    require_investigating_officer: bool = True
    relevance_min_chars: int = Field(default=40, ge=1)
    #: an officer claiming more open investigations than this is implausible
    max_open_investigations_per_officer: int = Field(default=200, ge=1)
    #: the caseload counts the officer's claims in batches dated within this many days
    #: before the request date (this batch included): a year, the usual span of an open
    #: criminal investigation, and no longer than the request history is kept
    officer_caseload_window_days: int = Field(default=365, ge=1)
    #: whether a record without a usable birth date is refused; 6103(i)(2) asks for name and
    #: address, so by default a missing or unusable birth date is only noted
    require_birth_date: bool = False
    taxable_period_earliest: int = Field(ge=1900, le=2100)
    taxable_period_latest: int = Field(ge=1900, le=2100)

    @field_validator("case_number_pattern")
    @classmethod
    def _pattern(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"not a valid regular expression: {e}") from e
        return v

    @model_validator(mode="after")
    def _window(self) -> Eligibility:
        if self.taxable_period_latest < self.taxable_period_earliest:
            raise ValueError("taxable_period_latest is before taxable_period_earliest")
        return self


class AddressPolicy(_Strict):
    allow_po_box: bool = False
    allow_general_delivery: bool = False


class Repeats(_Strict):
    """Duplicates, re-requests and probing: limits on learning by asking."""

    rerequest_window_days: int = Field(default=180, ge=0)
    probe_window_days: int = Field(default=90, ge=0)
    #: the same name with more than this many distinct birth dates is probing
    probe_max_dob_variants: int = Field(default=2, ge=1)
    #: the same street address with more than this many distinct names is probing
    probe_max_names_per_address: int = Field(default=6, ge=1)
    #: the same name (and birth date) across more than this many ZIPs is probing
    probe_max_zips_per_name: int = Field(default=3, ge=1)


DisclosureMode = Literal["confirm_address", "last_known_address"]


class Disclosure(_Strict):
    mode: DisclosureMode = "confirm_address"


class Matching(_Strict):
    auto_threshold: float = Field(default=0.99, gt=0, le=1)
    review_threshold: float = Field(default=0.5, gt=0, le=1)
    #: the best candidate must lead the runner-up by this many match-weight bits
    min_weight_margin: float = Field(default=6.0, ge=0)
    reviewers_required: int = Field(default=2, ge=1, le=3)

    @model_validator(mode="after")
    def _order(self) -> Matching:
        if self.review_threshold > self.auto_threshold:
            raise ValueError("review_threshold is above auto_threshold")
        return self


class Limits(_Strict):
    max_records_per_batch: int = Field(default=2_000_000, ge=1)


class Retention(_Strict):
    #: days the custodian keeps request personal data (keyed hashes stay)
    request_data_days: int = Field(default=365, ge=1)
    #: days the recipient may keep answers before certifying destruction
    recipient_days: int = Field(default=365, ge=1)


class Term(_Strict):
    effective: date
    expires: date

    @model_validator(mode="after")
    def _order(self) -> Term:
        if self.expires <= self.effective:
            raise ValueError("expires is not after effective")
        return self


Standing = Literal["good_standing", "open_findings"]


class Status(_Strict):
    """Operational state: changes without changing the terms (not in terms_hash)."""

    suspended: bool = False
    suspended_reason: str = ""
    safeguard_status: Standing = "good_standing"
    open_findings: int = Field(default=0, ge=0)
    corrective_action_plan_date: date | None = None

    @property
    def recipient_in_good_standing(self) -> bool:
        # Open findings are tolerable only with a dated corrective action plan.
        if self.safeguard_status == "good_standing" and self.open_findings == 0:
            return True
        return self.corrective_action_plan_date is not None


class Agreement(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    title: str = Field(min_length=1)
    custodian: Custodian
    requesting_agency: Party
    authority: str = Field(min_length=1)
    requesters: list[Requester] = Field(min_length=1)
    permitted_statutes: list[str] = Field(min_length=1)
    eligibility: Eligibility
    address: AddressPolicy = AddressPolicy()
    repeats: Repeats = Repeats()
    disclosure: Disclosure = Disclosure()
    matching: Matching = Matching()
    limits: Limits = Limits()
    retention: Retention = Retention()
    term: Term
    status: Status = Status()

    @model_validator(mode="after")
    def _unique_requesters(self) -> Agreement:
        ids = [r.id for r in self.requesters]
        if len(set(ids)) != len(ids):
            raise ValueError("requester ids are not unique")
        keys = [r.public_key for r in self.requesters]
        if len(set(keys)) != len(keys):
            raise ValueError("two requesters share one public key")
        if self.custodian.public_key and self.custodian.public_key in keys:
            raise ValueError("the custodian's key is also a requester's key")
        return self

    # --- identity -----------------------------------------------------------
    def terms_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude={"status"})

    @property
    def terms_hash(self) -> str:
        return canonical_hash(self.terms_dict())

    # --- questions the pipeline asks ----------------------------------------
    def requester_by_key_id(self, key_id: str) -> Requester | None:
        return next((r for r in self.requesters if r.key_id == key_id), None)

    def in_force_on(self, day: date) -> bool:
        return self.term.effective <= day <= self.term.expires

    def with_status(self, status: Status) -> Agreement:
        return self.model_copy(update={"status": status})


def _format_errors(e: ValidationError) -> str:
    parts = []
    for err in e.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(file)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)


def parse_agreement(data: dict[str, object], *, where: str) -> Agreement:
    try:
        return Agreement.model_validate(data)
    except ValidationError as e:
        raise AgreementError(_format_errors(e), where=where) from e


def load_agreement(path: Path) -> Agreement:
    try:
        text = path.read_bytes()
    except OSError as e:
        raise AgreementError(f"cannot read agreement: {e.strerror}", where=str(path)) from e
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise AgreementError("not UTF-8 text", where=str(path)) from e
    except tomllib.TOMLDecodeError as e:
        raise AgreementError(f"not valid TOML: {e}", where=str(path)) from e
    return parse_agreement(data, where=str(path))


def dump_agreement(agreement: Agreement) -> str:
    data = agreement.model_dump(mode="python", exclude_none=True)
    return tomli_w.dumps(data)


def save_agreement(agreement: Agreement, path: Path) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(dump_agreement(agreement), encoding="utf-8")
    tmp.replace(path)
