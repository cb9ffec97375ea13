"""Admin in Slack: people and roles, stages, and the workspace lifecycle events."""
