"""/api/v1/regions: the region tree a caller may see (their area and the nodes above it)."""

from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kangyang.lib.pagination import Page
from kangyang.regions.models import Region

router = Router(tags=["regions"])

CODE_PATTERN = r"^\d{12}$"
# A Literal, not the TextChoices: inlined in OpenAPI, so no clash with another app's `Level`.
Level = Literal[tuple(Region.Level.values)]  # type: ignore[valid-type]


class RegionOut(Schema):
    code: str
    name: str
    level: Level
    parent: str | None = Field(None, description="The parent's 12-digit code; null for a district.")
    lat: float | None
    lng: float | None

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return obj.parent.code if obj.parent_id else None


class RegionFilter(Schema):
    level: Level | None = None
    parent: str | None = Field(
        None, pattern=CODE_PATTERN, description="12-digit code of the parent node."
    )


@router.get("", response=list[RegionOut])
@paginate(Page)
def list_regions(request, filters: Query[RegionFilter]):
    """Regions the caller may see, in code order, filtered by level and parent."""
    qs = Region.objects.visible_to(request.auth).select_related("parent")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent)
    return qs


@router.get("/{code}", response=RegionOut)
def get_region(request, code: str):
    """One region by its 12-digit code; a region outside the caller's view answers 404."""
    regions = Region.objects.visible_to(request.auth).select_related("parent")
    return get_object_or_404(regions, code=code)
