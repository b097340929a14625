"""The one door: every write, import, export, report and audited read, role-checked, for the app and CLI."""
