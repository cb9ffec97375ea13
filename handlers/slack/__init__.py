"""Slack plumbing every feature shares: escaping and formatting, Block Kit builders,
modal builders, the Answer a turn produces, middleware and the error handler."""
