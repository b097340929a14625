"""Street centrelines: the ``streets`` layer (name and class per line) behind the street-frontage risk factor.

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the streets layer on the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0010(driver_executor(bind))


def downgrade() -> None:
    """Refuse: StageMap never downgrades a store."""
    raise RuntimeError("StageMap never downgrades a store: imported street layers stay with their audit entries.")
