"""Activities: calls, meetings, emails, notes and follow-up tasks."""
