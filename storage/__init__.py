"""Persistence: models, engines, migrations, blob store. Imports nothing of app/ or ui/."""
