"""Logging activities from anywhere in Slack: the message and global shortcuts."""
