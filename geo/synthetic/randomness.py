"""Counter-based, hash-keyed randomness for the synthetic sample (DATA.md section 5.4).

Never ``random`` or ``np.random``: their streams change between versions. Row ``i`` of a
field is the SplitMix64 finaliser of ``key + (i + 1) * 0x9E3779B97F4A7C15`` in numpy
``uint64``, where ``key`` hashes ``SEED:GEN_VERSION:layer:field``. A new field shifts
nothing; a retry uses ``field:attempt<k>``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

SEED = 17  # Executive Directive No. 17
#: Bump together with the golden hashes in tests/geo/test_synthetic.py.
GEN_VERSION = 2

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def field_key(layer: str, field: str) -> int:
    """Return the 64-bit key of ``layer``/``field`` for the current ``SEED`` and ``GEN_VERSION``."""
    text = f"{SEED}:{GEN_VERSION}:{layer}:{field}"
    return int(hashlib.sha256(text.encode()).hexdigest()[:16], 16)


def hash64(layer: str, field: str, index: np.ndarray | int) -> np.ndarray:
    """Return SplitMix64 outputs (``uint64``) for row indices ``index`` (an int means ``arange``)."""
    idx = np.arange(index, dtype=np.uint64) if isinstance(index, int) else np.asarray(index).astype(np.uint64)
    z = np.full(idx.shape, field_key(layer, field), dtype=np.uint64)
    z += (idx + np.uint64(1)) * _GOLDEN
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


def u01(layer: str, field: str, index: np.ndarray | int) -> np.ndarray:
    """Return uniform floats in [0, 1) (53 bits) for row indices ``index``."""
    return (hash64(layer, field, index) >> np.uint64(11)).astype(np.float64) * 2.0**-53


def uniform(layer: str, field: str, index: np.ndarray | int, low: float, high: float) -> np.ndarray:
    """Return uniform floats in [low, high)."""
    return low + (high - low) * u01(layer, field, index)


def integers(layer: str, field: str, index: np.ndarray | int, low: int, high: int) -> np.ndarray:
    """Return uniform integers in [low, high) as ``int64``."""
    return np.asarray(low + np.floor(u01(layer, field, index) * (high - low)).astype(np.int64))


def categorical(layer: str, field: str, index: np.ndarray | int, weights: Sequence[float]) -> np.ndarray:
    """Return category numbers 0..len(weights)-1 drawn with the given relative weights."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.searchsorted(cum / cum[-1], u01(layer, field, index), side="right").clip(0, len(cum) - 1)


def exact_quota(layer: str, field: str, n: int, counts: Sequence[int]) -> np.ndarray:
    """Return ``n`` category numbers with exactly ``counts[k]`` of each, in hash-shuffled order."""
    if sum(counts) != n:
        raise ValueError(f"exact_quota({field}): counts {list(counts)} do not sum to {n}")
    labels = np.repeat(np.arange(len(counts)), counts)
    order = np.argsort(hash64(layer, field, n), kind="stable")
    out = np.empty(n, dtype=np.int64)
    out[order] = labels
    return out
