"""Alembic environment of the operational store.

Migrations run programmatically (``disclosure_gateway.store.engine.upgrade``),
which hands over an open connection inside its transaction; there is no
alembic.ini. ``render_as_batch`` lets SQLite alter tables by copy-and-move.
"""

from __future__ import annotations

from alembic import context

from disclosure_gateway.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through disclosure_gateway.store.engine.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
