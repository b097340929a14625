"""The ``stagemap`` console script; every verb goes through ``geo.services`` as a named account."""
from stagemap_cli.main import main

__all__ = ["main"]
