"""The institutions' part of `kangyang demo` (kangyang/ops/demo.py calls these hooks): a few
dozen institutions and facilities per district with residents, ratings, a year of random
inspections and the hazards they found (some overdue), credit scores and subsidy rolls.

Each topic seeds its own part in its own module, in the order below (a topic may use what an
earlier one made), each with its own random stream so that one topic's draws do not move
another's."""

import random

from kangyang.institutions import (
    demo_credit, demo_hazards, demo_inspections, demo_rating, demo_register, demo_subsidies,
)

TOPICS = [demo_register, demo_rating, demo_inspections, demo_hazards, demo_credit, demo_subsidies]


def _stream(rng: random.Random, topic) -> random.Random:
    return random.Random(f"{rng.random()}:{topic.__name__}")


def seed_demo(*, district, rng: random.Random, elders: int) -> str:
    texts = [topic.seed(district=district, rng=_stream(rng, topic), elders=elders) for topic in TOPICS]
    return "; ".join(t for t in texts if t)


def seed_demo_accounts(*, accounts: dict, district, rng: random.Random) -> str:
    texts = [topic.seed_accounts(accounts=accounts, district=district, rng=_stream(rng, topic))
             for topic in TOPICS if hasattr(topic, "seed_accounts")]
    return "; ".join(t for t in texts if t)
