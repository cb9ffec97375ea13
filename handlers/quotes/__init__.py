"""Quotes and approvals in Slack: the quote form, the approval buttons, the flow."""
