"""Domain services: the only way the UI and the CLI change things."""
