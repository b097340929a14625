"""Audit-chain verification and the chain head, through the one door (records and admin)."""
from __future__ import annotations

from geo.access.roles import Actor, authorize
from geo.store import Store
from geo.store.audit import ChainBreak, chain_head


def verify_audit(store: Store, actor: Actor, *, head: tuple[int, str] | None = None) -> tuple[int, ChainBreak | None]:
    """Walk the chain (against ``head`` when given) as ``actor``.

    A verification only reads: it never appends to the chain it is checking.

    Raises
    ------
    AccessDenied
        When the role may not verify the audit log.
    """
    authorize(actor, "verify_audit")
    return store.verify_audit(head=head)


def audit_head(store: Store, actor: Actor) -> tuple[int, str]:
    """Return the chain head ``(seq, hash)`` to keep outside the store."""
    authorize(actor, "verify_audit")
    return chain_head(store.read_audit())
