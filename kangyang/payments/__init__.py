"""Paying the elder's own share of a home-service order (issue 14 §3) through a payment
provider: the provider interface (providers.py), a fake provider for the demo and the tests,
the payments (models.py) and their actions and queries. Depends on services (whose orders it
pays); services never imports it."""
