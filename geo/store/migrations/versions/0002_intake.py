"""Incident intake: incident reports, reporter contacts (kept apart), evidence, department liaisons.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the intake tables for the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0002(driver_executor(bind))


def downgrade() -> None:
    """Refuse: dropping intake tables would destroy evidence records."""
    raise RuntimeError("StageMap never downgrades a store: evidence and audit records must stay intact.")
