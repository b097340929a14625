"""Audit-chain verification, the chain head and signed checkpoints, through the one door (records and admin).

A checkpoint is the chain head (seq, entry hash), the time and the store, signed with
HMAC-SHA256 under a key from the configuration (:func:`geo.config.checkpoint_key`) and kept
outside the store. Verifying against it detects entries removed from the end and a chain
edited and re-hashed from some entry onwards, which are consistent in themselves.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from geo.access.roles import Actor, authorize
from geo.errors import GeoDataError, StoreError
from geo.messages import M
from geo.store import Store
from geo.store.audit import ChainBreak, canonical_json, chain_head
from geo.store.verify import StateReport

CHECKPOINT_FORMAT = "stagemap-audit-checkpoint/1"
CHECKPOINT_FIELDS = ("format", "seq", "entry_hash", "time", "store", "key_id")


class CheckpointForged(GeoDataError):
    """A checkpoint whose signature does not verify: altered, or signed with another key."""


class ChainNotVerified(StoreError):
    """A checkpoint was refused: the chain or the state it binds does not verify (carries the report)."""

    def __init__(self, message: str, report: StateReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint: the chain head it vouches for, when, and for which store."""

    seq: int
    entry_hash: str
    time: str
    store: str

    @property
    def head(self) -> tuple[int, str]:
        """``(seq, entry_hash)`` to verify the chain against."""
        return self.seq, self.entry_hash


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


def verify_state(store: Store, actor: Actor, *, head: tuple[int, str] | None = None) -> StateReport:
    """Walk the chain (against ``head``) and check every bound table's live rows against history and chain.

    Raises
    ------
    AccessDenied
        When the role may not verify the audit log.
    """
    authorize(actor, "verify_audit")
    return store.verify_state(head=head)


def audit_head(store: Store, actor: Actor) -> tuple[int, str]:
    """Return the chain head ``(seq, hash)`` to keep outside the store.

    Raises
    ------
    AccessDenied
        When the role may not verify the audit log.
    """
    authorize(actor, "verify_audit")
    return chain_head(store.read_audit())


def key_id(key: bytes) -> str:
    """Return a short public fingerprint of a signing key (tells keys apart, reveals nothing of them)."""
    return hashlib.sha256(b"stagemap checkpoint key id\x00" + key).hexdigest()[:16]


def _signature(payload: dict[str, object], key: bytes) -> str:
    return hmac.new(key, canonical_json(payload).encode("utf-8"), hashlib.sha256).hexdigest()


def make_checkpoint(store: Store, actor: Actor, key: bytes) -> tuple[dict[str, object], StateReport]:
    """Verify the chain and the state, then return the signed checkpoint of its head (and the report).

    Raises
    ------
    AccessDenied
        When the role may not verify the audit log.
    ChainNotVerified
        When the chain or the state does not verify: a broken chain is never signed.
    """
    report = verify_state(store, actor)
    if not report.ok:
        raise ChainNotVerified(M("Store {store}: not signing a checkpoint of a chain that does not verify ({n} "
                                 "problems, first: {first}); run `stagemap audit verify` and resolve every finding "
                                 "first.", store=store.display_url, n=len(report.problems()),
                                 first=report.problems()[0]), report)
    seq, digest = report.head
    payload: dict[str, object] = {
        "format": CHECKPOINT_FORMAT, "seq": seq, "entry_hash": digest,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "store": store.display_url,
        "key_id": key_id(key)}
    return {**payload, "alg": "HMAC-SHA256", "signature": _signature(payload, key)}, report


def write_checkpoint(store: Store, actor: Actor, path: Path, key: bytes) -> tuple[dict[str, object], StateReport]:
    """Write a signed checkpoint to ``path`` atomically (see :func:`make_checkpoint`); return it.

    Raises
    ------
    AccessDenied
        When the role may not verify the audit log.
    ChainNotVerified
        When the chain or state does not verify (nothing is written).
    GeoDataError
        When ``path`` cannot be written.
    """
    checkpoint, report = make_checkpoint(store, actor, key)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(checkpoint, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise GeoDataError(M("Cannot write the checkpoint {path}: {why}; check the folder exists and is writable.",
                             path=str(path), why=exc.strerror)) from None
    return checkpoint, report


def read_checkpoint(path: Path, key: bytes) -> Checkpoint:
    """Read a checkpoint file and check its signature with ``key``.

    Raises
    ------
    GeoDataError
        When the file cannot be read or is not a StageMap checkpoint (bad input).
    CheckpointForged
        When the signature does not verify: the file was altered or signed with another key.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GeoDataError(M("Cannot read the checkpoint {path}: {why}; give the file written by "
                             "`stagemap audit checkpoint --out`.", path=str(path), why=exc.strerror)) from None
    except ValueError:
        raise GeoDataError(M("Checkpoint {path} is not JSON; give the file written by "
                             "`stagemap audit checkpoint --out`.", path=str(path))) from None
    missing = [k for k in (*CHECKPOINT_FIELDS, "signature") if not isinstance(data, dict) or k not in data]
    if missing or data.get("format") != CHECKPOINT_FORMAT:
        raise GeoDataError(M("Checkpoint {path} is not a {format} file (missing {missing}); give the file written "
                             "by `stagemap audit checkpoint --out`.", path=str(path), format=CHECKPOINT_FORMAT,
                             missing=str(missing or ["format"])))
    payload = {k: data[k] for k in CHECKPOINT_FIELDS}
    if not hmac.compare_digest(str(data["signature"]), _signature(payload, key)):
        other = "" if data["key_id"] == key_id(key) else M(" (it names key {named}, yours is {yours})",
                                                              named=data["key_id"], yours=key_id(key))
        raise CheckpointForged(M("Checkpoint {path}: the signature does not verify{other}; the file was altered or "
                                 "signed with another key. Use the checkpoint kept outside the store and the key "
                                 "that signed it.", path=str(path), other=other))
    seq, digest = data["seq"], data["entry_hash"]
    if not isinstance(seq, int) or not isinstance(digest, str) or len(digest) != 64:
        raise GeoDataError(M("Checkpoint {path}: seq {seq} / entry_hash {digest} are not a chain head.",
                             path=str(path), seq=repr(seq), digest=repr(digest)))
    return Checkpoint(seq, digest, str(data["time"]), str(data["store"]))
