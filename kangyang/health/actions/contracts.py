"""Writes of the health app's contracts topic."""
