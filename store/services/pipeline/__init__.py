"""Pipeline figures, forecasts against quotas, fiscal periods, scheduled reports."""
