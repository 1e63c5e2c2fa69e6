"""Parvis: an open platform for a citizen-first smart city."""

__version__ = "0.1.0"
