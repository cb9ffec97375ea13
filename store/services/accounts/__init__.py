"""Accounts, contacts and contracts."""
