"""Route planning for home services: pure Python on PyVRP, no Django.

- `instances`: VRPTW benchmark files (VRPLIB, Solomon) under the DIMACS convention;
- `solver`: our solver, PyVRP's search on every core with exchange of the best solution;
- `day`: a provider's day (caregivers, visits, skills, shifts, windows) planned and extended.
"""

from kangyang.services.routing.day import (
    DayPlan,
    PlannedStop,
    TravelModel,
    Visit,
    Worker,
    best_insertion,
    plan_day,
)
from kangyang.services.routing.instances import Instance, InstanceError, read_instance
from kangyang.services.routing.solver import solve

__all__ = [
    "DayPlan", "Instance", "InstanceError", "PlannedStop", "TravelModel", "Visit", "Worker",
    "best_insertion", "plan_day", "read_instance", "solve",
]
