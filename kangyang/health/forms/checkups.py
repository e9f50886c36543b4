"""Forms of the health app's checkups topic."""
