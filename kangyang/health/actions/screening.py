"""Writes of the health app's screening topic."""
