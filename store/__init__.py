"""The relational core: models, migrations and the services that hold every business rule."""
