"""Supervision of institutions and facilities (民政监管), split by topic: the register and its
residents (register), star rating (rating), random inspections (inspections), hazards
(hazards), credit (credit) and operating subsidies (subsidies)."""

from kangyang.institutions.models.register import *  # noqa: F401,F403
from kangyang.institutions.models.rating import *  # noqa: F401,F403
from kangyang.institutions.models.inspections import *  # noqa: F401,F403
from kangyang.institutions.models.hazards import *  # noqa: F401,F403
from kangyang.institutions.models.credit import *  # noqa: F401,F403
from kangyang.institutions.models.subsidies import *  # noqa: F401,F403
