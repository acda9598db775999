"""Staff sessions on the server, login throttling, one identity per account.

* ``staff_sessions``: a session is a row (the client holds a random token, the row
  only its SHA-256), so logging out, a password or role change, or disabling an
  account ends it at once;
* ``login_failures``: consecutive failed logins per account and per client address,
  under keyed hashes;
* ``users.identity_key``: unique, so ``ice-director`` and ``Ice.Director`` cannot be
  two accounts. Existing accounts are given theirs here; should two existing accounts
  be one identity, the later one is disabled (fail closed: it can no longer act, and
  nothing is deleted) and keeps no key.

Revision ID: 0003_sessions
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_sessions"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _identity_key(name: str) -> str:
    # Frozen copy of duties.identity_key as of this revision: a migration must not
    # change meaning when the application code does.
    folded = re.sub(r"\s+", "-", unicodedata.normalize("NFKC", name).casefold().strip())
    return re.sub(r"[-_.]", "", folded)


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("identity_key", sa.String(64), nullable=True))
    conn = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer()), sa.column("name", sa.String()),
                     sa.column("disabled", sa.Boolean()), sa.column("identity_key", sa.String()))
    seen: set[str] = set()
    for uid, name in conn.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id)).all():
        key = _identity_key(str(name))
        if key in seen:
            conn.execute(sa.update(users).where(users.c.id == uid).values(disabled=True))
            continue
        seen.add(key)
        conn.execute(sa.update(users).where(users.c.id == uid).values(identity_key=key))
    with op.batch_alter_table("users") as batch:
        batch.create_unique_constraint("uq_users_identity_key", ["identity_key"])

    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        _time("created_at"),
        _time("last_used_at"),
        _time("absolute_end"),
        sa.Column("idle_s", sa.Integer(), nullable=False),
        _time("ends_at"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_staff_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_staff_sessions_user_id_users"),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_index("ix_staff_sessions_ends_at", "staff_sessions", ["ends_at"])

    op.create_table(
        "login_failures",
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _time("last_failure_at"),
        _time("locked_until", True),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_last_failure_at", "login_failures", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_last_failure_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_staff_sessions_ends_at", table_name="staff_sessions")
    op.drop_index("ix_staff_sessions_user_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_identity_key", type_="unique")
        batch.drop_column("identity_key")
