"""The health app's actions, one module per topic (see kangyang/health/models)."""
