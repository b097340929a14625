"""Reading and writing files: archive checks, readers, aliases, validation, importers, site derivation, exports."""
