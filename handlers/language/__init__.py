"""Free text read without Slack: intents, dates, amounts, deal terms, leads, quote lines.

Pure functions of strings returning plain values; nothing here imports Bolt, the database
layer or any rendering (only `store.errors`, whose messages say what was unclear).
"""
