"""Pure analysis: classify, risk, snapping, proximity, gaps, deadlines, filters and ``analyze``.

Frames in, frames out; nothing here reads or writes the store or files (ruff bans
``geo.store``, ``geo.io``, ``geo.services`` and ``geo.intake`` in this folder).
"""
