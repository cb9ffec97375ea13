"""Free text read without Slack: intents, dates, amounts, deal terms, leads, quote lines.
\nPure functions of strings; nothing here imports Bolt or the store."""
