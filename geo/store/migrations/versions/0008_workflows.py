"""The directive's workflows: alerts and their attempt log, contractor notices, board measures, events.

``alerts`` gets one row per enforcement report landing on or beside a department's site, bound to
the audit chain; ``alert_attempts`` keeps every e-mail and webhook delivery attempt (append-only);
``contractor_notices`` is the A.3 notice register, ``board_measures`` the day-15 board measures and
``incident_events`` the records user's confirm/split decisions (one event, many reports), each
versioned and audited (see geo.store.ddl_workflows).

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the alert, notice and measure tables on the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0008(driver_executor(bind))


def downgrade() -> None:
    """Refuse: alerts, delivery attempts, notices and measures must stay on record."""
    raise RuntimeError("StageMap never downgrades a store: alerts and their delivery attempts must stay on record.")
