"""Writes of the health app's records topic."""
