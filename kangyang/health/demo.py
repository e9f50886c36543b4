"""The health app's part of `kangyang demo` (kangyang/ops/demo.py calls these hooks): coded
conditions, medical institutions and family-doctor teams with their contracts, a year of
check-ups and follow-ups, health meters sending readings (a few urgent, with their alerts),
screenings, referrals and home sickbeds.

Each topic seeds its own part in its own module, in the order below (a topic may use what an
earlier one made), each with its own random stream."""

import random

from kangyang.health import (
    demo_checkups, demo_contracts, demo_followups, demo_readings, demo_records, demo_screening,
)

TOPICS = [demo_records, demo_contracts, demo_checkups, demo_followups, demo_readings, demo_screening]


def _stream(rng: random.Random, topic) -> random.Random:
    return random.Random(f"{rng.random()}:{topic.__name__}")


def seed_demo(*, district, rng: random.Random, elders: int) -> str:
    texts = [topic.seed(district=district, rng=_stream(rng, topic), elders=elders) for topic in TOPICS]
    return "; ".join(t for t in texts if t)


def seed_demo_accounts(*, accounts: dict, district, rng: random.Random) -> str:
    texts = [topic.seed_accounts(accounts=accounts, district=district, rng=_stream(rng, topic))
             for topic in TOPICS if hasattr(topic, "seed_accounts")]
    return "; ".join(t for t in texts if t)
