"""Demo data of the institutions' rating topic (kangyang/institutions/demo.py calls it)."""


def seed(*, district, rng, elders: int) -> str:
    return ""
