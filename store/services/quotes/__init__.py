"""Quotes, their totals, the approval policy and the approval steps."""
