"""The API's one list format, shared by every app's router.

It lives here, not in kangyang/api.py, because the project's api.py imports every app's
router: an app importing `Page` from there would close an import circle.
"""

from typing import Any

from ninja import Schema
from ninja.pagination import PaginationBase
from pydantic import Field

MAX_PAGE = 1_000_000


class Page(PaginationBase):
    """`?page=` and `?page_size=` (up to 200) → {"items": [...], "count": N}."""

    class Input(Schema):
        # Bounded so that the offset stays a database integer (2^63 → 422, not a 500).
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        count: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        start = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[start : start + pagination.page_size]),
            "count": queryset.count(),
        }
