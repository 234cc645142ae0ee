"""geo: reported drone flights turned into geocoded tracks, measured against borders."""

__version__ = "0.1.0"

__all__ = ["__version__"]
