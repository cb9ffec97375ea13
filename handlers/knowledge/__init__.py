"""The knowledge base in Slack: search results, paged articles, the admin form."""
