"""Slack surfaces: Slack payloads in, service calls, Block Kit out.

One package per feature (deals, activities, quotes, pipeline, reminders, knowledge,
admin, home), each with its listeners, flow and blocks; `handlers.slack` holds the
plumbing every feature shares; `handlers.language` reads free text without Slack.
`handlers.registry.register_all` wires them to an app. Importing this package
imports nothing else, so a parser can be used without Bolt.
"""
