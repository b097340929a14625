"""Initial schema: layers, site status and history, overrides, import log, audit log.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the schema for the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0001(driver_executor(bind))


def downgrade() -> None:
    """Refuse: dropping the store's tables would destroy audit evidence."""
    raise RuntimeError("StageMap never downgrades a store: the audit log must stay intact.")
