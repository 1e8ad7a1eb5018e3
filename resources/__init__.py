"""Data only: icons, sounds, default templates, translations, styles."""
