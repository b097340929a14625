"""The directive's reports as PDF and CSV: B.8 monthly counts, board measures, sign packets."""
