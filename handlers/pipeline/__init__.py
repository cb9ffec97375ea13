"""Pipeline summaries, forecasts, scheduled reports and leads in Slack."""
