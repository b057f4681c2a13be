"""Reading, validating and importing estate workbooks; the dependency graph."""
