"""The nexus study's fee rules: which incidents count toward a fee, and the area and recovery assumptions."""
from __future__ import annotations

from dataclasses import dataclass

from geo.analysis.snap import ON_SITE


@dataclass(frozen=True)
class NexusRules:
    """Which incidents count toward a fee, and the area and recovery assumptions.

    Attributes
    ----------
    fee_snap_kinds : tuple of str
        Snap kinds attributed to a parcel for the fee (default on-site only; adjacent ones are
        listed in the inventory but not charged).
    fee_verification : tuple of str
        Verification levels that count (default corroborated and LAPD-confirmed).
    repeat_min_incidents : int
        Incidents (on-site or adjacent, any level) that make a parcel a repeat site.
    floors_assumed : float
        Floors assumed when estimating a building's footprint from its floor area.
    recovery_share : float
        Share of the attributable cost a scenario recovers (0 to 1).
    """

    fee_snap_kinds: tuple[str, ...] = (ON_SITE,)
    fee_verification: tuple[str, ...] = ("corroborated", "lapd_confirmed")
    repeat_min_incidents: int = 2
    floors_assumed: float = 1.0
    recovery_share: float = 1.0


#: The default rules (on-site, corroborated or LAPD-confirmed incidents; full recovery).
DEFAULT_RULES = NexusRules()
