"""Demo data of the institutions' hazards topic (kangyang/institutions/demo.py calls it).

The hazards arise from the inspections' demo (each finding is opened through
actions.hazards.open_hazard, before this runs); here they move on as a year of supervision
would have moved them: most old ones put right and closed at a re-check with photos, some put
right and awaiting the re-check, some still open past their deadline (and escalated), and a
couple serious. The photos are small PNGs drawn from the topic's random stream (deterministic).
"""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.institutions.actions import hazards as actions
from kangyang.institutions.models import Hazard, Institution

RECTIFIED = ["已按要求整改，现场清理完毕并张贴标识", "已更换损坏设施，并对员工进行专项培训", "已补齐记录并建立每日检查制度",
             "已加装防护设施，并由安全员每日巡查"]
RECHECKS = ["复查合格，整改到位", "现场复查，已整改完毕", "复查：设施完好，记录齐全"]
SERIOUS = [("消防通道被杂物堵塞，安全出口上锁", "fire"), ("厨房燃气管道老化漏气，未设报警装置", "food")]


def photo(rng, name: str) -> SimpleUploadedFile:
    """A small PNG of a few coloured blocks (deterministic for the stream)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 48), tuple(rng.randrange(120, 240) for _channel in range(3)))
    draw = ImageDraw.Draw(image)
    for _block in range(3):
        x, y = rng.randrange(0, 48), rng.randrange(0, 32)
        draw.rectangle([x, y, x + rng.randrange(6, 16), y + rng.randrange(6, 16)],
                       fill=tuple(rng.randrange(0, 200) for _channel in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _inspector_for(region_code: str):
    for user in User.objects.filter(role=scope.R.INSPECTOR, is_active=True).select_related("region").order_by("pk"):
        if scope.supervises_institutions_of(user, region_code):
            return user
    return None


def seed(*, district, rng, elders: int) -> str:
    today = timezone.localdate()
    prefix = district.code[:6]
    hazards = Hazard.objects.filter(region_code__startswith=prefix).select_related("institution")
    institutions = list(Institution.objects.filter(region_code__startswith=prefix).order_by("pk"))
    if not institutions:
        return ""
    serious = hazards.filter(severity=Hazard.Severity.SERIOUS).count()
    for description, item in SERIOUS[:max(0, 2 - serious)]:
        home = rng.choice(institutions)
        found = today - dt.timedelta(days=rng.randrange(20, 40))
        hazard = actions.open_hazard(institution=home, description=description, severity=Hazard.Severity.SERIOUS,
                                     responsible_person=_("the head of the institution"), item=item,
                                     deadline=found + dt.timedelta(days=10), evidence_required="整改前后对比照片")
        Hazard.objects.filter(pk=hazard.pk).update(created_at=_at(found, 9))
    closed = waiting = overdue = 0
    inspector_of = {}
    for hazard in hazards.filter(status=Hazard.Status.OPEN).order_by("deadline", "pk"):
        chance = rng.random()
        late = (today - hazard.deadline).days
        if hazard.severity == Hazard.Severity.SERIOUS and late > 0:
            continue  # the serious ones stay open and overdue: the demo's escalations
        if late < -7 and chance < 0.7:
            continue  # still time to put it right
        rectified_on = min(today, hazard.deadline - dt.timedelta(days=rng.randrange(0, 5)))
        if late > 0 and chance < 0.15:
            continue  # open and overdue
        actions.rectify_hazard(hazard, by=None, text=rng.choice(RECTIFIED),
                               photos=[photo(rng, "after.png")], now=_at(rectified_on, 15))
        if late < 14 and chance < 0.45:
            waiting += 1
            continue  # put right lately, awaiting the re-check
        code = hazard.region_code
        if code not in inspector_of:
            inspector_of[code] = _inspector_for(code)
        checked_on = min(today, rectified_on + dt.timedelta(days=rng.randrange(2, 12)))
        hazard.refresh_from_db()
        actions.recheck_hazard(hazard, by=inspector_of[code], passed=True, note=rng.choice(RECHECKS),
                               photos=[photo(rng, "recheck.png")], now=_at(checked_on, 11))
        closed += 1
    escalated = actions.escalate_overdue_hazards_once(today)
    overdue = Hazard.objects.filter(region_code__startswith=prefix).overdue(on=today).count()
    return _("%(closed)d hazards closed after a re-check, %(waiting)d awaiting a re-check, %(overdue)d overdue "
             "(%(escalated)d escalations)") % {"closed": closed, "waiting": waiting, "overdue": overdue,
                                                "escalated": escalated}
