"""StageMap's pure domain library: schemas, CRS rules, import, validation, analysis."""
