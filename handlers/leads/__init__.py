"""Leads in Slack: capture in words or a form, the lead card and its buttons."""
