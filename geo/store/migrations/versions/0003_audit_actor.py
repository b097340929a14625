"""Audit entries record the operating-system user of CLI writes and a hash of each changed row.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``os_user`` and ``row_hash`` to the audit log on the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0003(driver_executor(bind))


def downgrade() -> None:
    """Refuse: the audit log must stay intact."""
    raise RuntimeError("StageMap never downgrades a store: the audit log must stay intact.")
