"""Initial schema: batches, requests, decisions, review, answers, accounting, users,
API nonces, and the ledger (leaves, head, checkpoints).

Revision ID: 0001
Revises:
Create Date: 2025-11-25

Frozen: later changes go in new revisions. Types are spelled out here rather
than imported from the models, so this file keeps meaning what it meant.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _hash(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=nullable)


def _text(name: str, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _key(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(128), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "batches",
        _key("batch_id"),
        _text("agreement_id", False),
        _hash("agreement_hash"),
        _text("requester_id"),
        sa.Column("requester_key_id", sa.String(16), nullable=False),
        _time("manifest_created"),
        _time("received_at"),
        _hash("records_sha256"),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _text("refusal_code"),
        sa.Column("manifest", sa.JSON(), nullable=True),
        sa.Column("response_version", sa.Integer(), nullable=False),
        _time("gated_at", True),
        _time("matched_at", True),
        _time("decided_at", True),
        _time("responded_at", True),
        _time("closed_at", True),
        _time("refused_at", True),
        sa.PrimaryKeyConstraint("batch_id", name="pk_batches"),
        sa.UniqueConstraint("records_sha256", name="uq_batches_records_sha256"),
    )
    op.create_index("ix_batches_status", "batches", ["status"])

    op.create_table(
        "requests",
        _key("batch_id"),
        _key("request_id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        *(_text(c) for c in (
            "first_name", "middle_name", "last_name", "dob", "tin", "address_line1",
            "address_line2", "city", "state", "zip", "removal_order_date", "case_number",
            "investigating_officer", "relevance", "taxable_periods", "statute")),
        _hash("subject_key", True),
        _hash("fingerprint", True),
        _time("purged_at", True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.batch_id"],
                                name="fk_requests_batch_id_batches"),
        sa.PrimaryKeyConstraint("batch_id", "request_id", name="pk_requests"),
        sa.UniqueConstraint("batch_id", "seq", name="uq_requests_batch_id_seq"),
    )
    op.create_index("ix_requests_batch_id_status", "requests", ["batch_id", "status"])
    op.create_index("ix_requests_fingerprint", "requests", ["fingerprint"])
    op.create_index("ix_requests_subject_key", "requests", ["subject_key"])

    op.create_table(
        "decisions",
        _key("batch_id"),
        _key("request_id"),
        _text("candidate_tin"),
        _hash("tin_key", True),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("margin", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("address_result", sa.String(32), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        _hash("agreement_hash"),
        _hash("model_hash", True),
        _hash("master_snapshot_hash", True),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        _time("decided_at"),
        sa.Column("leaf_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id", "request_id"],
                                ["requests.batch_id", "requests.request_id"],
                                name="fk_decisions_batch_id_request_id_requests"),
        sa.PrimaryKeyConstraint("batch_id", "request_id", name="pk_decisions"),
    )
    op.create_index("ix_decisions_tin_key", "decisions", ["tin_key"])

    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _key("batch_id"),
        _key("request_id"),
        _text("reason", False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("required_decisions", sa.Integer(), nullable=False),
        sa.Column("final_outcome", sa.String(16), nullable=True),
        _time("created_at"),
        _time("closed_at", True),
        sa.ForeignKeyConstraint(["batch_id", "request_id"],
                                ["requests.batch_id", "requests.request_id"],
                                name="fk_review_items_batch_id_request_id_requests"),
        sa.PrimaryKeyConstraint("id", name="pk_review_items"),
        sa.UniqueConstraint("batch_id", "request_id", name="uq_review_items_batch_id_request_id"),
    )
    op.create_index("ix_review_items_status", "review_items", ["status"])

    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        _text("reviewer", False),
        sa.Column("decision", sa.String(16), nullable=False),
        _hash("tin_key", True),
        _text("note"),
        _time("decided_at"),
        sa.Column("leaf_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["review_items.id"],
                                name="fk_review_decisions_item_id_review_items"),
        sa.PrimaryKeyConstraint("id", name="pk_review_decisions"),
        sa.UniqueConstraint("item_id", "reviewer", name="uq_review_decisions_item_id_reviewer"),
    )
    op.create_index("ix_review_decisions_item_id", "review_decisions", ["item_id"])

    op.create_table(
        "answers",
        _key("batch_id"),
        _key("request_id"),
        sa.Column("response_version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        sa.Column("disclosed", sa.JSON(), nullable=True),
        _time("issued_at"),
        sa.Column("leaf_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id", "request_id"],
                                ["requests.batch_id", "requests.request_id"],
                                name="fk_answers_batch_id_request_id_requests"),
        sa.PrimaryKeyConstraint("batch_id", "request_id", "response_version", name="pk_answers"),
    )
    op.create_index("ix_answers_batch_id_response_version", "answers",
                    ["batch_id", "response_version"])

    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _hash("tin_key"),
        _key("batch_id"),
        _key("request_id"),
        sa.Column("response_version", sa.Integer(), nullable=False),
        _text("requester_id", False),
        _text("statute"),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("disclosed", sa.JSON(), nullable=False),
        _hash("agreement_hash"),
        _time("disclosed_at"),
        sa.Column("leaf_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.batch_id"],
                                name="fk_disclosures_batch_id_batches"),
        sa.PrimaryKeyConstraint("id", name="pk_disclosures"),
        sa.UniqueConstraint("batch_id", "request_id", "response_version",
                            name="uq_disclosures_batch_id_request_id_response_version"),
    )
    op.create_index("ix_disclosures_disclosed_at", "disclosures", ["disclosed_at"])
    op.create_index("ix_disclosures_tin_key", "disclosures", ["tin_key"])

    op.create_table(
        "retractions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _key("batch_id"),
        _key("request_id", True),
        _text("reason", False),
        _text("retracted_by", False),
        _time("retracted_at"),
        sa.Column("leaf_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.batch_id"],
                                name="fk_retractions_batch_id_batches"),
        sa.PrimaryKeyConstraint("id", name="pk_retractions"),
    )
    op.create_index("ix_retractions_batch_id_request_id", "retractions",
                    ["batch_id", "request_id"])

    op.create_table(
        "disposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _key("batch_id"),
        _key("request_id", True),
        _text("certified_by", False),
        _text("location", False),
        _text("note"),
        _time("certified_at"),
        _time("recorded_at"),
        sa.Column("leaf_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.batch_id"],
                                name="fk_disposals_batch_id_batches"),
        sa.PrimaryKeyConstraint("id", name="pk_disposals"),
    )
    op.create_index("ix_disposals_batch_id_request_id", "disposals", ["batch_id", "request_id"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        _text("password_hash", False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )

    op.create_table(
        "api_nonces",
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(128), nullable=False),
        _time("seen_at"),
        _time("expires_at"),
        sa.PrimaryKeyConstraint("key_id", "nonce", name="pk_api_nonces"),
    )
    op.create_index("ix_api_nonces_expires_at", "api_nonces", ["expires_at"])

    op.create_table(
        "ledger_leaves",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        _time("time"),
        sa.Column("event_key", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("idx", name="pk_ledger_leaves"),
        sa.UniqueConstraint("event_key", name="uq_ledger_leaves_event_key"),
    )
    op.create_index("ix_ledger_leaves_event_type", "ledger_leaves", ["event_type"])

    head = op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _text("origin", False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("last_leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_head"),
    )
    # The head row exists from the start, so appenders only ever lock it, never race
    # to create it. The origin names this log for witnesses (C2SP tlog-checkpoint).
    now = datetime.now(UTC)
    op.bulk_insert(head, [{
        "id": 1,
        "origin": f"disclosure-gateway/ledger/{uuid.uuid4().hex[:16]}",
        "size": 0,
        "last_leaf_hash": bytes(32),
        "frontier": b"",
        "updated_at": now if op.get_bind().dialect.name != "sqlite" else now.replace(tzinfo=None),
    }])

    op.create_table(
        "checkpoints",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        _text("origin", False),
        _hash("root_hash"),
        _time("time"),
        sa.Column("key_id", sa.String(16), nullable=False),
        _text("public_key", False),
        _text("signature", False),
        _text("note_signature", False),
        sa.PrimaryKeyConstraint("tree_size", name="pk_checkpoints"),
    )


def downgrade() -> None:
    for table in ("checkpoints", "ledger_head", "ledger_leaves", "api_nonces", "users",
                  "disposals", "retractions", "disclosures", "answers", "review_decisions",
                  "review_items", "decisions", "requests", "batches"):
        op.drop_table(table)
