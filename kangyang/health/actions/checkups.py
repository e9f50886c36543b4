"""Writes of the health app's checkups topic."""
