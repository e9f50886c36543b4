"""Figures of home services. Each says where it comes from; each is a default.

The radius of the visit check, the travel speed and the detour factor are settings
(KANGYANG_VISIT_RADIUS_M, KANGYANG_ROUTE_SPEED_KMH, KANGYANG_ROUTE_DETOUR); the rest are
rules of thumb chosen for this platform, not figures of a standard unless one is named.
"""

import datetime as dt
from decimal import Decimal

from kangyang.services.models import ServiceItem, Skill
from kangyang.allowances.models import Policy

C = ServiceItem.Category
U = ServiceItem.Unit
SERVICE = Policy.Kind.SERVICE
VOUCHER = Policy.Kind.CONSUMPTION_VOUCHER

# A visit shorter than this share of its planned minutes is flagged "too short".
TOO_SHORT_SHARE = 0.5
# Straight-line speed between two consecutive visits above which the travel is impossible:
# GB 17761-2018 limits an e-bike to 25 km/h, and the street distance is longer still.
IMPOSSIBLE_SPEED_KMH = 25.0
# A visit still open this long after its planned end is flagged "no check-out".
MISSING_CHECK_OUT_GRACE = dt.timedelta(hours=2)
# A phone that lost its connection sends its check-in later with the time it was made;
# times older than this, or ahead of the server by more than the skew, are refused.
MAX_BACKDATE = dt.timedelta(hours=12)
MAX_CLOCK_SKEW = dt.timedelta(minutes=2)
# The window of an order at a fixed time: service starts within this many minutes.
FIXED_WINDOW = dt.timedelta(minutes=30)
# How far ahead an order may be placed, and how far ahead standing orders are created.
MAX_DAYS_AHEAD = 60
RECURRENCE_DAYS_AHEAD = 3
# From this local time the sweep plans the next day of every provider that has orders for
# it (caregivers see tomorrow's route the evening before).
PLAN_NEXT_DAY_FROM = dt.time(18, 0)
# Ratings (1 to 5 stars) at or below this open a follow-up like a complaint would.
LOW_RATING = 2

# The catalogue of the demo district and a new installation's starting point: the national
# home-visit service categories (居家上门服务 categories: 生活照料, 基础照护, 健康管理,
# 探访关爱, 精神慰藉, 委托代办, 适老化改造) and the items of the seed plans (助餐, 助洁,
# 助浴, 助医, 助行, 助急, 家政, 喘息服务, 家庭养老床位, 康复辅具租赁). Minutes at the home
# and example prices (示例金额, yuan per unit) are round figures in the range Chinese
# districts publish, not the tariff of any real place; the bureau edits them.
CATALOGUE = [
    # code, name, category, unit, minutes per unit, skill, allowances that may pay, example price
    ("meal", "助餐", C.DAILY_LIVING, U.MEAL, 10, Skill.MEALS, (SERVICE, VOUCHER), Decimal("15.00")),
    ("cleaning", "助洁", C.DAILY_LIVING, U.HOUR, 60, Skill.CLEANING, (SERVICE, VOUCHER), Decimal("40.00")),
    ("bathing", "助浴", C.DAILY_LIVING, U.VISIT, 60, Skill.BATHING, (SERVICE, VOUCHER), Decimal("80.00")),
    ("housekeeping", "家政", C.DAILY_LIVING, U.HOUR, 60, Skill.HOUSEKEEPING, (SERVICE,), Decimal("35.00")),
    ("mobility", "助行", C.BASIC_CARE, U.VISIT, 60, Skill.MOBILITY, (SERVICE, VOUCHER), Decimal("40.00")),
    ("urgent", "助急", C.BASIC_CARE, U.VISIT, 30, "", (SERVICE, VOUCHER), Decimal("30.00")),
    ("respite", "喘息服务", C.BASIC_CARE, U.VISIT, 240, Skill.NURSING, (SERVICE, VOUCHER), Decimal("200.00")),
    ("home_care_bed", "家庭养老床位", C.BASIC_CARE, U.VISIT, 60, Skill.NURSING, (SERVICE, VOUCHER), Decimal("60.00")),
    ("escort", "助医", C.HEALTH, U.VISIT, 120, Skill.ESCORT, (SERVICE, VOUCHER), Decimal("60.00")),
    ("health_check", "健康监测", C.HEALTH, U.VISIT, 30, Skill.NURSING, (SERVICE, VOUCHER), Decimal("20.00")),
    ("visit_care", "探访关爱", C.VISITING, U.VISIT, 30, Skill.COMPANIONSHIP, (SERVICE,), Decimal("20.00")),
    ("comfort", "精神慰藉", C.COMFORT, U.HOUR, 60, Skill.COMPANIONSHIP, (SERVICE, VOUCHER), Decimal("30.00")),
    ("errands", "委托代办", C.ERRANDS, U.VISIT, 60, "", (SERVICE,), Decimal("25.00")),
    ("aids_rental", "康复辅具租赁", C.ADAPTATION, U.MONTH, 30, Skill.AIDS, (SERVICE, VOUCHER), Decimal("50.00")),
    ("adaptation", "适老化改造", C.ADAPTATION, U.VISIT, 180, Skill.ADAPTATION, (), Decimal("300.00")),
]
