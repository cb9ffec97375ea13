"""Wiring: settings, the command line, and (later) the Slack app factory and scheduler."""
