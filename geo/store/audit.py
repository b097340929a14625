"""Hash-chained, append-only audit entries: canonical JSON, entry hashes, chain verification."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

GENESIS = "0" * 64
#: Columns of an audit entry that the hash covers, in order.
HASHED_FIELDS = ("seq", "at", "actor", "role", "action", "entity", "entity_id", "old", "new", "source")


def canonical_json(value: object) -> str:
    """Return compact, key-sorted JSON: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, entry: Mapping[str, object]) -> str:
    """Return ``sha256(prev_hash + canonical_json(entry fields))`` as hex."""
    body = canonical_json({k: entry.get(k) for k in HASHED_FIELDS})
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain does not verify, and why."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.reason}"


def verify_chain(
    entries: Iterable[Mapping[str, object]], *, head: tuple[int, str] | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk ``entries`` in stored order; return (entries checked, first break or None).

    Detects an edited entry (hash mismatch), a deleted or reordered one (sequence gap or
    ``prev_hash`` not matching the previous entry's hash). Removing or rewriting the *last*
    entries leaves a shorter chain that is consistent in itself; ``head`` (a ``(seq, hash)``
    recorded earlier and kept outside the store) catches that too.
    """
    prev, expected_seq, n = GENESIS, 1, 0
    for e in entries:
        n += 1
        seq = int(e["seq"])
        if seq != expected_seq:
            return n, ChainBreak(seq, f"sequence jumps from {expected_seq - 1} to {seq}: an entry was deleted or moved")
        if e["prev_hash"] != prev:
            return n, ChainBreak(seq, "prev_hash does not match the previous entry: entries were deleted or reordered")
        if entry_hash(prev, e) != e["entry_hash"]:
            return n, ChainBreak(seq, "content does not match its hash: the entry was edited")
        if head is not None and seq == head[0] and e["entry_hash"] != head[1]:
            return n, ChainBreak(seq, "differs from the chain head recorded outside the store: it was rewritten")
        prev, expected_seq = str(e["entry_hash"]), seq + 1
    if head is not None and expected_seq - 1 < head[0]:
        return n, ChainBreak(expected_seq, f"missing: the recorded chain head is entry {head[0]}, the log ends at "
                                           f"{expected_seq - 1}; entries were removed from the end")
    return n, None


def chain_head(entries: Sequence[Mapping[str, object]]) -> tuple[int, str]:
    """Return ``(seq, entry_hash)`` of the last entry, to keep outside the store."""
    last = entries[-1] if entries else None
    return (0, GENESIS) if last is None else (int(last["seq"]), str(last["entry_hash"]))
