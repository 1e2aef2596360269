"""Offline stand-in for the `engramia` package (see test/python/README.md)."""
from .memory import Memory

__version__ = "0.6.6"

__all__ = ["Memory"]
