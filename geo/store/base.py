"""The store every backend shares: layers, versioned status, the audit log and incident intake.

A backend (:mod:`geo.store.sqlite`, :mod:`geo.store.pg`) supplies connections, transactions,
migrations, the bulk layer writer and geometry encoding (the abstract methods of
:class:`geo.store.core.StoreCore`); everything else is this portable SQL.
"""
from __future__ import annotations

from geo.store.alerts import AlertStore
from geo.store.audit import AuditStore
from geo.store.boundaries import BoundaryStore
from geo.store.control import ControlStore
from geo.store.intake import IntakeStore
from geo.store.layers import LayerStore
from geo.store.publications import PublicationStore
from geo.store.registers import RegisterStore
from geo.store.retention import RetentionStore
from geo.store.scenes import SceneStore
from geo.store.status import StatusStore
from geo.store.verify import VerifyStore
from geo.store.workflow_rows import WorkflowStore


class BaseStore(BoundaryStore, LayerStore, StatusStore, AuditStore, IntakeStore, PublicationStore, VerifyStore,
                ControlStore, AlertStore, WorkflowStore, SceneStore, RetentionStore, RegisterStore):
    """The store interface both backends implement (see :class:`geo.store.protocol.Store`)."""
