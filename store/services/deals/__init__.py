"""Deals: the one write path for stage, amount, probability and close date, with
history; stages and their administration; Undo."""
