"""Trustworthy counts: incident relevance and observed conduct, neighbourhood councils, boundary sets.

Incidents gain ``relevance`` (stored LAPD crime-data rows become general crime, everything else
enforcement) and ``conduct_observed``; parcels, sites and incidents gain ``neighborhood_council``;
council districts, LAPD divisions and neighbourhood councils are kept as named boundary sets with a
vintage (``boundary_sets``, and their write-once features in ``boundaries``).

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from alembic import op

from geo.store.migrations.runner import dialect_module, driver_executor

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the relevance columns, the neighbourhood council layer and the boundary-set tables on the connected backend."""
    bind = op.get_bind()
    dialect_module(bind).upgrade_0006(driver_executor(bind))


def downgrade() -> None:
    """Refuse: boundary sets and the relevance of stored incidents must stay on record."""
    raise RuntimeError("StageMap never downgrades a store: boundary sets and incident relevance must stay on record.")
