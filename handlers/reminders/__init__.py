"""Reminder messages, their buttons, and what workflow rules say."""
