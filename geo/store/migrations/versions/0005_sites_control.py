"""The right list of sites: owner class, site control, the A.1 determination, site parts, places and ramps.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the control, determination and parts tables, the new layers and columns on the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0005(driver_executor(bind))


def downgrade() -> None:
    """Refuse: determinations and their history must stay on record."""
    raise RuntimeError("StageMap never downgrades a store: determinations and their history must stay on record.")
