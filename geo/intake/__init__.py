"""Incident reports, evidence files, sign photos, placement checks, A.3 routing and bulk status sheets.

Validation and file handling only; the SQL lives in ``geo.store`` and the role-checked
orchestration in ``geo.services``.
"""
