"""What every service shares: the audit log and the de-duplicated Slack event ids."""
