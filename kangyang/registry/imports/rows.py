"""Checking one row: every reason to reject it, or the row ready to add."""

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.lib import crypto, phone as phones, residentid
from kangyang.regions.models import Compound, Region
from kangyang.registry import actions
from kangyang.registry.imports.columns import (
    ADDRESS_MAX, CATEGORY_LABELS, CATEGORY_SEPARATORS, CATEGORY_WORDS, LIVING_LABELS, LIVING_WORDS,
    NAME_MAX, SEX_LABELS, SEX_WORDS, _key,
)
from kangyang.registry.imports.reading import _Sheet, _text


@dataclass
class _Row:
    """A row that passed every check, ready to be added unless already registered."""

    number: int
    name: str
    rid: residentid.ResidentId
    id_hash: str
    community: Region
    compound: Compound | None
    address: str
    phone: str
    living_arrangement: str
    categories: list[str]


class _Places:
    """The communities and compounds of the importing user's area, loaded once per job."""

    def __init__(self, by) -> None:
        communities = list(
            Region.objects.filter(level=Region.Level.COMMUNITY).filter(scope.region_filter(by, field="code"))
        )
        self.by_code = {c.code: c for c in communities}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        for c in communities:
            self.by_name[c.name].append(c)
        self.compounds = {
            (c.community_id, c.name): c for c in Compound.objects.filter(community__in=communities)
        }
        self._elsewhere: dict[str, bool] = {}

    def community(self, value: str) -> Region:
        if value in self.by_code:
            return self.by_code[value]
        matches = self.by_name.get(value, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(
                _("Several communities in your area are called %(value)s; give the 12-digit code "
                  "instead.") % {"value": value},
                code="community_ambiguous",
            )
        if value not in self._elsewhere:
            self._elsewhere[value] = Region.objects.filter(
                Q(code=value) | Q(name=value), level=Region.Level.COMMUNITY
            ).exists()
        if self._elsewhere[value]:
            raise ValidationError(
                _("The community %(value)s is not in your area.") % {"value": value},
                code="community_outside",
            )
        raise ValidationError(
            _("There is no community with the code or name %(value)s.") % {"value": value},
            code="community_unknown",
        )

    def compound(self, community: Region, value: str) -> Compound:
        compound = self.compounds.get((community.pk, value))
        if compound is None:
            raise ValidationError(
                _("The community %(community)s has no compound called %(value)s.")
                % {"community": community.name, "value": value},
                code="compound_unknown",
            )
        return compound


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", _text(value))
    text = re.sub(r"\s+0{1,2}:00(:00)?$", "", text)  # a date cell read back as text
    match = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
             or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    try:
        if match:
            return dt.date(*map(int, match.groups()))
    except ValueError:
        pass
    raise ValidationError(
        _("“%(value)s” is not a date; write it as 1945-03-12.") % {"value": text}, code="date"
    )


def _choice(value: str, words: dict[str, str], labels: dict[str, str], message: str) -> str:
    try:
        return words[_key(value)]
    except KeyError:
        raise ValidationError(
            message % {"value": value, "choices": "、".join(labels.values())}, code="choice"
        ) from None


def _categories(value: str) -> list[str]:
    values, unknown = [], []
    for word in CATEGORY_SEPARATORS.split(value):
        if not word:
            continue
        key = _key(word)
        category = CATEGORY_WORDS.get(key) or CATEGORY_WORDS.get(key.removesuffix("老人"))
        if category is None:
            unknown.append(word)
        else:
            values.append(category)
    if unknown:
        raise ValidationError(
            _("Unknown vulnerability category: %(values)s. Use %(choices)s.")
            % {"values": "、".join(unknown), "choices": "、".join(CATEGORY_LABELS.values())},
            code="category",
        )
    return values  # all Elder.Category values; build_elder checks them again


def _check_row(sheet: _Sheet, values: tuple, *, number: int, places: _Places) -> tuple[_Row | None, list[str]]:
    """Every reason to reject the row, or the row ready to add. No database access except
    the first mention of a community outside the user's area."""
    errors: list[str] = []
    get = partial(sheet.value, values)

    name = _text(get("name"))
    if not name:
        errors.append(_("Enter the elder's name."))
    elif len(name) > NAME_MAX:
        errors.append(_("The name is longer than %(max)d characters.") % {"max": NAME_MAX})

    rid = None
    raw_id = get("id_number")
    id_text = re.sub(r"\s", "", unicodedata.normalize("NFKC", _text(raw_id)))
    sex = birth_date = None
    try:
        if _text(get("sex")):
            sex = _choice(_text(get("sex")), SEX_WORDS, SEX_LABELS,
                          _("Unknown sex “%(value)s”; write %(choices)s."))
    except ValidationError as e:
        errors.extend(e.messages)
    try:
        if _text(get("birth_date")):
            birth_date = _date(get("birth_date"))
    except ValidationError as e:
        errors.extend(e.messages)
    if not id_text:
        errors.append(_("Enter the ID number."))
    else:
        try:
            rid = actions.check_identity(id_text, birth_date=birth_date, sex=sex)
        except ValidationError as e:
            errors.extend(e.messages)
            if isinstance(raw_id, (int, float)):
                errors.append(_("Excel stored the ID number as a number and may have changed its "
                                "last digits: format the column as text and type the number again."))

    community = compound = None
    community_text = unicodedata.normalize("NFKC", _text(get("community")))
    if not community_text:
        errors.append(_("Enter the community: its 12-digit code or its name."))
    else:
        try:
            community = places.community(community_text)
        except ValidationError as e:
            errors.extend(e.messages)
    compound_text = _text(get("compound"))
    if compound_text and community is not None:
        try:
            compound = places.compound(community, compound_text)
        except ValidationError as e:
            errors.extend(e.messages)

    address = _text(get("address"))
    if len(address) > ADDRESS_MAX:
        errors.append(_("The address is longer than %(max)d characters.") % {"max": ADDRESS_MAX})

    phone = ""
    try:
        phone = phones.normalise(_text(get("phone"))) if _text(get("phone")) else ""
    except ValidationError as e:
        errors.extend(e.messages)

    living = ""
    categories: list[str] = []
    try:
        if _text(get("living_arrangement")):
            living = _choice(_text(get("living_arrangement")), LIVING_WORDS, LIVING_LABELS,
                             _("Unknown living arrangement “%(value)s”; write one of %(choices)s."))
    except ValidationError as e:
        errors.extend(e.messages)
    try:
        categories = _categories(_text(get("categories")))
    except ValidationError as e:
        errors.extend(e.messages)

    if errors:
        return None, errors
    return _Row(
        number=number, name=name, rid=rid, id_hash=crypto.lookup_hash(rid.number),
        community=community, compound=compound, address=address, phone=phone,
        living_arrangement=living, categories=categories,
    ), []
