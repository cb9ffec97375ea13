"""Benchmarks: run from the checkout with `python -m benchmarks [NAME...]`; never by pytest."""
