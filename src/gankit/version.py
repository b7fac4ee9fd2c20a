"""The package version, importable without anything else (run folders and metric cards record it)."""

__version__ = "0.1.0"
