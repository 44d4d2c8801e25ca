"""Store diagnosis: the `diagnose_store` tool, its KPI tree (kpi_tree.toml) and its rules."""
