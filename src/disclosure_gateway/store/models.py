"""The operational store's tables, as SQLAlchemy 2 typed declarative models.

One schema for SQLite and PostgreSQL; Alembic migrations under
``store/migrations`` create it (a test holds the models and the migrations to
the same shape). Personal data lives only in ``requests`` (purgeable columns)
and ``decisions.candidate_tin``; everything kept for accountability refers to
taxpayers by keyed hash (``subject_key``, ``tin_key``).

Status values are plain strings (constants below) rather than database enums,
so adding a stage needs no migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# --- status vocabularies ------------------------------------------------------------
BATCH_STATUSES = ("received", "gated", "matched", "decided", "responded", "closed", "refused")
#: the stage timestamp column set when a batch reaches each status
BATCH_STAGE_COLUMN = {"gated": "gated_at", "matched": "matched_at", "decided": "decided_at",
                      "responded": "responded_at", "closed": "closed_at", "refused": "refused_at"}
REQUEST_STATUSES = ("received", "refused", "eligible", "matched", "review", "decided", "answered")
OUTCOMES = ("match", "review", "no_match")
REVIEW_STATUSES = ("open", "closed")

#: request columns holding personal data; retention sets them to NULL
PERSONAL_REQUEST_FIELDS: tuple[str, ...] = (
    "first_name", "middle_name", "last_name", "dob", "tin", "address_line1", "address_line2",
    "city", "state", "zip", "removal_order_date", "case_number", "investigating_officer",
    "relevance",
)
#: request columns kept after retention (no personal data; needed for reports)
KEPT_REQUEST_FIELDS: tuple[str, ...] = ("taxable_periods", "statute")

_HASH = String(64)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[Any]: JSON(),
        str: Text(),
        int: Integer(),
        float: Float(),
        bool: Boolean(),
        bytes: LargeBinary(),
    }


class Batch(Base):
    """One signed batch of requests, as received (or refused) at intake."""

    __tablename__ = "batches"

    batch_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    agreement_id: Mapped[str]
    agreement_hash: Mapped[str] = mapped_column(_HASH)
    requester_id: Mapped[str | None]
    requester_key_id: Mapped[str] = mapped_column(String(16))
    manifest_created: Mapped[datetime]
    received_at: Mapped[datetime]
    # one records file is answered once: a second batch with the same file is a replay
    records_sha256: Mapped[str] = mapped_column(_HASH, unique=True)
    record_count: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), index=True)
    refusal_code: Mapped[str | None]
    manifest: Mapped[dict[str, Any] | None]
    response_version: Mapped[int] = mapped_column(default=0)
    gated_at: Mapped[datetime | None]
    matched_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    refused_at: Mapped[datetime | None]


class Request(Base):
    """One request record of a batch; personal columns are NULL once purged."""

    __tablename__ = "requests"
    __table_args__ = (
        UniqueConstraint("batch_id", "seq"),
        Index("ix_requests_batch_id_status", "batch_id", "status"),
    )

    batch_id: Mapped[str] = mapped_column(String(128), ForeignKey("batches.batch_id"),
                                          primary_key=True)
    request_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    seq: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    reason_codes: Mapped[list[str]] = mapped_column(default=list)
    # as submitted (strings), purgeable
    first_name: Mapped[str | None]
    middle_name: Mapped[str | None]
    last_name: Mapped[str | None]
    dob: Mapped[str | None]
    tin: Mapped[str | None]
    address_line1: Mapped[str | None]
    address_line2: Mapped[str | None]
    city: Mapped[str | None]
    state: Mapped[str | None]
    zip: Mapped[str | None]
    removal_order_date: Mapped[str | None]
    case_number: Mapped[str | None]
    investigating_officer: Mapped[str | None]
    relevance: Mapped[str | None]
    # kept
    taxable_periods: Mapped[str | None]
    statute: Mapped[str | None]
    #: keyed hash of the normalised identity asked about
    subject_key: Mapped[str | None] = mapped_column(_HASH, index=True)
    #: keyed hash of the whole record as submitted ("refused before, unchanged")
    fingerprint: Mapped[str | None] = mapped_column(_HASH, index=True)
    purged_at: Mapped[datetime | None]


class Decision(Base):
    """The match decision for one request, with everything needed to replay it."""

    __tablename__ = "decisions"
    __table_args__ = (
        ForeignKeyConstraint(["batch_id", "request_id"],
                             ["requests.batch_id", "requests.request_id"]),
    )

    batch_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    #: custodian-internal; never leaves the gateway, purgeable
    candidate_tin: Mapped[str | None]
    tin_key: Mapped[str | None] = mapped_column(_HASH, index=True)
    match_probability: Mapped[float | None]
    match_weight: Mapped[float | None]
    margin: Mapped[float | None]
    outcome: Mapped[str] = mapped_column(String(16))
    address_result: Mapped[str | None] = mapped_column(String(32))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    agreement_hash: Mapped[str] = mapped_column(_HASH)
    model_hash: Mapped[str | None] = mapped_column(_HASH)
    master_snapshot_hash: Mapped[str | None] = mapped_column(_HASH)
    thresholds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decided_at: Mapped[datetime]
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)


class ReviewItem(Base):
    """A request held for clerical review (one per request)."""

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("batch_id", "request_id"),
        ForeignKeyConstraint(["batch_id", "request_id"],
                             ["requests.batch_id", "requests.request_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str]
    status: Mapped[str] = mapped_column(String(16), index=True, default="open")
    #: how many different reviewers must decide before the item can close
    required_decisions: Mapped[int] = mapped_column(default=1)
    final_outcome: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class ReviewDecision(Base):
    """One reviewer's decision on an item; several reviewers may decide one item."""

    __tablename__ = "review_decisions"
    __table_args__ = (UniqueConstraint("item_id", "reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    reviewer: Mapped[str]
    decision: Mapped[str] = mapped_column(String(16))
    tin_key: Mapped[str | None] = mapped_column(_HASH)
    note: Mapped[str | None]
    decided_at: Mapped[datetime]
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)


class Answer(Base):
    """The answer code issued for a request in one response version (never rewritten)."""

    __tablename__ = "answers"
    __table_args__ = (
        ForeignKeyConstraint(["batch_id", "request_id"],
                             ["requests.batch_id", "requests.request_id"]),
        Index("ix_answers_batch_id_response_version", "batch_id", "response_version"),
    )

    batch_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    response_version: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    reason_codes: Mapped[list[str]] = mapped_column(default=list)
    disclosed: Mapped[dict[str, Any] | None]
    issued_at: Mapped[datetime]
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)


class Disclosure(Base):
    """The accounting of disclosures (26 U.S.C. 6103(p)(3)(A)): one row per disclosure."""

    __tablename__ = "disclosures"
    __table_args__ = (UniqueConstraint("batch_id", "request_id", "response_version"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    tin_key: Mapped[str] = mapped_column(_HASH, index=True)
    batch_id: Mapped[str] = mapped_column(String(128), ForeignKey("batches.batch_id"))
    request_id: Mapped[str] = mapped_column(String(128))
    response_version: Mapped[int] = mapped_column(default=1)
    requester_id: Mapped[str]
    statute: Mapped[str | None]
    code: Mapped[str] = mapped_column(String(32))
    #: what was disclosed (the answer code's content, e.g. the address given)
    disclosed: Mapped[dict[str, Any]] = mapped_column(default=dict)
    agreement_hash: Mapped[str] = mapped_column(_HASH)
    disclosed_at: Mapped[datetime] = mapped_column(index=True)
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)


class Retraction(Base):
    """An answer (request_id set) or a whole batch (request_id NULL) declared wrong."""

    __tablename__ = "retractions"
    __table_args__ = (Index("ix_retractions_batch_id_request_id", "batch_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(128), ForeignKey("batches.batch_id"))
    request_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str]
    retracted_by: Mapped[str]
    retracted_at: Mapped[datetime]
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)


class Disposal(Base):
    """The recipient's certificate that disclosed data was destroyed."""

    __tablename__ = "disposals"
    __table_args__ = (Index("ix_disposals_batch_id_request_id", "batch_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(128), ForeignKey("batches.batch_id"))
    #: NULL: the certificate covers the whole batch
    request_id: Mapped[str | None] = mapped_column(String(128))
    certified_by: Mapped[str]
    location: Mapped[str]
    note: Mapped[str | None]
    certified_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)


class User(Base):
    """A staff account of the API and console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str]
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    #: duties.identity_key of the name: one person, one account (NULL only before 0003 filled it)
    identity_key: Mapped[str | None] = mapped_column(String(64), unique=True)


# --- staff sessions and login throttling (0003) ----------------------------------------
class StaffSession(Base):
    """A staff session (web or CLI). The client holds a random token; only its SHA-256 is here."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(_HASH, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: web (cookie) or cli (`dgw login`)
    kind: Mapped[str] = mapped_column(String(8))
    csrf: Mapped[str] = mapped_column(String(64))
    #: small per-session state of the console (a message to show once, a result)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime]
    absolute_end: Mapped[datetime]
    idle_s: Mapped[int]
    #: the earlier of absolute_end and last_used_at + idle_s
    ends_at: Mapped[datetime] = mapped_column(index=True)


class LoginFailure(Base):
    """Consecutive failed logins of one account or client address (keyed hashes only)."""

    __tablename__ = "login_failures"

    #: account or client
    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(_HASH, primary_key=True)
    failures: Mapped[int]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]
# --- end of 0003 ------------------------------------------------------------------------


class ApiNonce(Base):
    """A nonce seen on a signed API request; a second sighting is a replay."""

    __tablename__ = "api_nonces"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LedgerLeaf(Base):
    """One leaf of the transparency log. ``payload`` is the exact leaf data hashed."""

    __tablename__ = "ledger_leaves"

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    payload: Mapped[bytes]
    event_type: Mapped[str] = mapped_column(String(32), index=True)
    time: Mapped[datetime]
    #: optional idempotency key: an append with a key already logged is a no-op
    event_key: Mapped[str | None] = mapped_column(String(255), unique=True)


class LedgerHead(Base):
    """The log's single head row: size, last leaf hash and compact range (frontier).

    Appenders lock this row, which orders all appends; the frontier makes the
    root at the head O(log n) to compute. Redundant with the leaves on purpose,
    and checked against them by verification.
    """

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    origin: Mapped[str]
    size: Mapped[int] = mapped_column(BigInteger)
    last_leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    frontier: Mapped[bytes]
    updated_at: Mapped[datetime]


class CheckpointRow(Base):
    """A signed statement of the tree (size, root) at a time, by the custodian's key."""

    __tablename__ = "checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    origin: Mapped[str]
    root_hash: Mapped[str] = mapped_column(_HASH)
    time: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str]
    #: Ed25519 over the RFC 8785 form of {origin, tree_size, root_hash, time, key_id}
    signature: Mapped[str]
    #: Ed25519 over the C2SP signed-note body (origin, size, base64 root)
    note_signature: Mapped[str]
