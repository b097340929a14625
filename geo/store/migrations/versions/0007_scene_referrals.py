"""Section B: scene records (B.1-B.6) and referrals (B.7) with their histories, and legal holds.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the scene record, referral and legal hold tables on the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0007(driver_executor(bind))


def downgrade() -> None:
    """Refuse: scene records, referrals and holds must stay on record."""
    raise RuntimeError("StageMap never downgrades a store: scene records, referrals and holds must stay on record.")
