"""Writes of the health app's followups topic."""
