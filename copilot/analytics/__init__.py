"""The metrics library: every member KPI defined once, computed by portable SQL."""
