"""The health app's queries, one module per topic (see kangyang/health/models)."""
