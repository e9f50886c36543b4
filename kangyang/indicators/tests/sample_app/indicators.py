"""The sample app's one indicator: elders whose name starts with 张 (over the registry's
table, as a new module would count its own)."""

from kangyang.indicators.registry import COUNT, Indicator
from kangyang.registry.models import Elder

INDICATORS = [
    Indicator(code="sample_zhang", name="elders named Zhang", unit=COUNT, group="sample",
              numerator=lambda q: Elder.objects.filter(name__startswith="张"),
              numerator_text="elders whose name starts with 张", as_of_text="now"),
]
