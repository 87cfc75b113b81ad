"""eventx: rule-based event extraction from news text."""

__version__ = "0.1.0"
