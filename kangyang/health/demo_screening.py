"""The health app's demo, screening topic (kangyang/health/demo.py calls it)."""


def seed(*, district, rng, elders: int) -> str:
    return ""
