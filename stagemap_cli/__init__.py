"""The ``stagemap`` console script: geo's commands plus those that draw maps (``stagemap map``)."""
from __future__ import annotations

from collections.abc import Sequence

from stagemap_cli.main import main as geo_main


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stagemap`` with every subcommand, including ``map``, ``nexus`` and ``report``."""
    from stagemap_cli.maps import register
    from stagemap_cli.reports import register as register_reports

    def extend(sub) -> None:
        register(sub)
        register_reports(sub)

    return geo_main(argv, extend=extend)
