"""armstrack: defence-industrial cooperation facts from news articles."""

__version__ = "0.1.0"
