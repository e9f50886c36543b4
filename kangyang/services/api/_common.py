"""What the routers of home services share: the routers themselves, the value types of
their schemas (money, datetimes, the choices) and the parsing of references in a body."""

from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router
from pydantic import PlainSerializer, WithJsonSchema

from kangyang.lib import coords
from kangyang.registry.queries import get_elder_for
from kangyang.services import queries
from kangyang.services.models import (
    Channel, Complaint, Order, OrderEvent, Provider, ServiceItem, ServiceVisit, ServiceVisitFlag, Skill,
)
from kangyang.allowances.models import VOUCHER_KINDS


def _literal_first(path: str) -> tuple[int, ...]:
    """Per segment, 0 for a literal and 1 for a parameter: sorting by it puts `/today`
    before `/{order_id}`, which would otherwise take "today" as an id."""
    return tuple(1 if part.startswith("{") else 0 for part in path.strip("/").split("/") if part)


class ServicesRouter(Router):
    """A Router for operations added from several modules. Each operation keeps the OpenAPI
    id it had when the API of home services was one module (`kangyang_services_api_<function>`,
    so that clients generated from the document keep their method names), and a literal
    path is matched before a parameter in the same place, whichever module added it first."""

    def add_api_operation(self, path, methods, view_func, *, operation_id=None, **kwargs):
        operation_id = operation_id or f"kangyang_services_api_{view_func.__name__}"
        super().add_api_operation(path, methods, view_func, operation_id=operation_id, **kwargs)
        self.path_operations = dict(sorted(self.path_operations.items(), key=lambda kv: _literal_first(kv[0])))


providers_router = ServicesRouter(tags=["providers"])
items_router = ServicesRouter(tags=["service-items"])
router = ServicesRouter(tags=["orders"])

CODE_PATTERN = r"^\d{12}$"
FEN = Decimal("0.01")


def _one_of(values):
    """A Literal of the allowed values, inlined in the OpenAPI document (so that our
    `Status` never clashes with another app's as a component name)."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


OrderStatus = _one_of(Order.Status.values)
EventKind = _one_of(OrderEvent.Kind.values)
FlagCode = _one_of(ServiceVisitFlag.Code.values)
Review = _one_of(ServiceVisit.Review.values)
Category = _one_of(ServiceItem.Category.values)
Unit = _one_of(ServiceItem.Unit.values)
SkillCode = _one_of(Skill.values)
AllowanceKind = _one_of(VOUCHER_KINDS)
ChannelValue = _one_of(Channel.values)
NoShowParty = _one_of(Order.NoShowParty.values)
ComplaintStatus = _one_of(Complaint.Status.values)
CoordSystem = _one_of(coords.SYSTEMS)


def _fen(value: Decimal) -> str:
    return str(Decimal(value).quantize(FEN))


# Outputs: money as "15.00"; datetimes are lib.schemas.UtcDatetime (RFC 3339 in UTC, "Z").
Money = Annotated[Decimal, PlainSerializer(_fen, return_type=str),
                  WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["15.00"]})]


def _name(user) -> str | None:
    return str(user) if user is not None else None


ItemRef = Annotated[int | str, Field(description="The service item's id or code, e.g. 3 or \"meal\".")]


def _item(ref: int | str, *, field: str = "item") -> ServiceItem:
    """The catalogue item a body names by id or code; an unknown one is a 422 on the field."""
    found = (ServiceItem.objects.filter(pk=ref) if isinstance(ref, int)
             else ServiceItem.objects.filter(code=ref.strip())).first()
    if found is None:
        raise ValidationError({field: ValidationError(_("There is no such service item."), code="unknown_item")})
    return found


def _referenced(visible, model, pk: int, field: str, message: str):
    """A record a body names by id: 422 on the field if there is none, 404 if the caller
    cannot see it (see the package's docstring)."""
    found = visible.filter(pk=pk).first()
    if found is not None:
        return found
    if model.objects.filter(pk=pk).exists():
        raise Http404
    raise ValidationError({field: ValidationError(message, code="unknown")})


def _provider(user, provider_id: int | None) -> Provider | None:
    if provider_id is None:
        return None
    return _referenced(Provider.objects.visible_to(user), Provider, provider_id, "provider",
                       _("There is no such provider."))


def _orderer_for(user, elder_id: int):
    """The elder, for a caller who may order for them: 404 outside scope, else 403."""
    elder = get_elder_for(user, elder_id)
    if not queries.can_order_for(user, elder):
        raise PermissionDenied
    return elder


def _detail(order: Order) -> Order:
    """The order as it stands after a step, with what OrderDetailOut reads."""
    return (Order.objects.select_related("elder", "item", "provider__organisation", "caregiver")
            .get(pk=order.pk))
