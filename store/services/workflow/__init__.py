"""Workflow rules: loaded from YAML, run once per event."""
