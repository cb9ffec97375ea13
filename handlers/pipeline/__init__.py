"""Pipeline summaries, forecasts and scheduled reports in Slack."""
