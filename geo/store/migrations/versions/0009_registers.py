"""Evidence packages and registers: agency policies (C), contractor disclosures (E), private opt-in, grants.

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the append-only evidence packages and register entries on the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0009(driver_executor(bind))


def downgrade() -> None:
    """Refuse: handed-over packages and register entries must stay on record."""
    raise RuntimeError("StageMap never downgrades a store: evidence packages and register entries must stay on record.")
