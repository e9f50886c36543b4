"""Demo data of the institutions' register topic (kangyang/institutions/demo.py calls it)."""


def seed(*, district, rng, elders: int) -> str:
    return ""
