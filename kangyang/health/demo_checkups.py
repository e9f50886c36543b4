"""The health app's demo, checkups topic (kangyang/health/demo.py calls it)."""


def seed(*, district, rng, elders: int) -> str:
    return ""
