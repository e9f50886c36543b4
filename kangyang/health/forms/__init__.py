"""The health app's forms, one module per topic (see kangyang/health/models)."""
