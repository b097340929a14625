"""The publication log: each public table is published once, with its content and hash.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the publication log on the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0004(driver_executor(bind))


def downgrade() -> None:
    """Refuse: published records must stay intact."""
    raise RuntimeError("StageMap never downgrades a store: what was published must stay on record.")
