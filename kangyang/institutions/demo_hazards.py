"""Demo data of the institutions' hazards topic (kangyang/institutions/demo.py calls it)."""


def seed(*, district, rng, elders: int) -> str:
    return ""
