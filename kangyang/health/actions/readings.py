"""Writes of the health app's readings topic."""
