"""Admin mode: the supervisor's settings, monitoring and report pages inside the window."""
