"""The health app's pages (/health/): the panel, and one module per topic."""
