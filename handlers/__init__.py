"""Slack surfaces: turn payloads into service calls and results into Block Kit."""
