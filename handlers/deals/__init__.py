"""Deals in Slack: the deal card buttons and the deal forms (new, edit, close lost, log)."""
