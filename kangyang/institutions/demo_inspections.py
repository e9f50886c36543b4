"""Demo data of the institutions' inspections topic (kangyang/institutions/demo.py calls it)."""


def seed(*, district, rng, elders: int) -> str:
    return ""
