"""Qt widgets, item models and views: the only floor that imports PySide6."""
