"""Request history: keyed digests of earlier requests for the gate's repeat and
probing rules (no personal data, only HMAC digests).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("batch_id", sa.String(128), nullable=False),
        # identity | refused | dob_by_name_street | name_by_address | zip_by_name_dob
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("variant", sa.String(64), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=False),
    )
    op.create_index("ix_request_history_kind_group_key", "request_history",
                    ["kind", "group_key", "on_date"])


def downgrade() -> None:
    op.drop_index("ix_request_history_kind_group_key", table_name="request_history")
    op.drop_table("request_history")
