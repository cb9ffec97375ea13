"""Leads: assignment rules, duplicates, qualification and one-transaction conversion."""
