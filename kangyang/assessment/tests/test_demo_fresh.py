"""The assessments hook of the demo on an empty district (test_demo.py shares a seeded one)."""

from kangyang.assessment.models import Assessment
from kangyang.ops import demo


def test_a_district_without_elders_gets_no_assessments(db):
    import random

    from kangyang.assessment.demo import seed_demo

    assert seed_demo(district=demo.get_district(), rng=random.Random(1), elders=0) == ""
    assert not Assessment.objects.exists()
