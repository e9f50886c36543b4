"""The devices page (issue 12): the area's devices with heartbeat, battery and last alarm, the
offline list, registering one device (its broker password shown once), binding and unbinding
to an elder, and importing the vendor's sheet. Parse, gate, act, render; the rules are in
alarms/actions/ and accounts/scope.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kangyang.accounts import scope
from kangyang.alarms import actions, device_import, queries
from kangyang.alarms.forms import BindForm, DeviceFilterForm, DeviceImportForm, DeviceRegisterForm, UnbindForm
from kangyang.alarms.models import Device
from kangyang.lib.forms import add_errors

PAGE_SIZE = 50
RECENT_ALARMS = 10
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check_viewer(user) -> None:
    if not scope.sees_devices_page(user):
        raise PermissionDenied


def _check_manager(user) -> None:
    if not scope.manages_devices_page(user):
        raise PermissionDenied


def _rows(user, devices) -> list[dict]:
    """What each row shows of its elder: no more than the identity rules allow."""
    return [
        {"device": d, "elder": scope.identity_view(user, d.elder) if d.elder_id else None} for d in devices
    ]


@login_required
@require_safe
def device_list(request: HttpRequest) -> HttpResponse:
    _check_viewer(request.user)
    form = DeviceFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    devices = queries.devices_page_for(
        request.user, state=filters.get("state", ""), kind=filters.get("kind", ""), q=filters.get("q", ""),
    )
    page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
    manager = scope.manages_devices_page(request.user)
    return render(request, "alarms/devices.html", {
        "form": form, "page_obj": page, "rows": _rows(request.user, page.object_list),
        "counts": queries.device_counts_for(request.user), "state": filters.get("state", ""),
        "querystring": urlencode({k: v for k, v in filters.items() if v}),
        "can_manage": manager, "register_form": DeviceRegisterForm() if manager else None,
        "import_form": DeviceImportForm() if manager else None, "can_raise": True,
    })


def _device(user, device_id: str) -> Device:
    _check_viewer(user)
    return queries.get_device_for(user, device_id)


def _detail(request: HttpRequest, device: Device, **forms) -> HttpResponse:
    manager = scope.manages_devices_page(request.user) and actions.can_edit_devices(request.user, device.region_code)
    return render(request, "alarms/device.html", {
        "device": device,
        "elder": scope.identity_view(request.user, device.elder) if device.elder_id else None,
        "alarms": list(device.alarms.order_by("-received_at", "-id")[:RECENT_ALARMS]),
        "offline": queries.devices_page_for(request.user, state="offline").filter(pk=device.pk).exists(),
        "can_manage": manager and device.status != Device.Status.RETIRED,
        "bind_form": forms.get("bind_form") or BindForm(),
        "unbind_form": forms.get("unbind_form") or UnbindForm(),
        "can_raise": True,
    })


@login_required
@require_safe
def device_detail(request: HttpRequest, device_id: str) -> HttpResponse:
    return _detail(request, _device(request.user, device_id))


@login_required
@require_POST
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """One device by hand; the answer shows its broker password, this once (only its hash is
    stored), so it is a page of its own, never a redirect."""
    _check_manager(request.user)
    form = DeviceRegisterForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        elder = area = None
        try:
            if data["elder"].strip():
                elder = queries.elder_by_reference(request.user, data["elder"])
            elif request.user.region_id is None:
                raise ValidationError(_("Give the elder: you have no area to keep devices in stock."))
            else:
                area = request.user.region
        except ValidationError as e:
            form.add_error("elder", e)
        else:
            try:
                device = actions.register_device(
                    by=request.user, device_id=data["device_id"], kind=data["kind"], vendor=data["vendor"],
                    model=data["model"], installed_on=data["installed_on"], elder=elder, area=area,
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                return render(request, "alarms/device_registered.html", {
                    "devices": [{"device": device, "password": device.mqtt_password}], "can_raise": True,
                })
    return render(request, "alarms/device_register.html", {"register_form": form, "can_raise": True}, status=400)


@login_required
@require_POST
def bind(request: HttpRequest, device_id: str) -> HttpResponse:
    device = _device(request.user, device_id)
    _check_manager(request.user)
    form = BindForm(request.POST)
    if form.is_valid():
        try:
            elder = queries.elder_by_reference(request.user, form.cleaned_data["elder"])
            actions.bind_device(device, by=request.user, elder=elder, note=form.cleaned_data["note"])
        except ValidationError as e:
            form.add_error("elder", e)
        else:
            messages.success(request, _("The device is bound to %(name)s.") % {"name": elder.name})
            return redirect("alarms:device", device_id=device.device_id)
    return _detail(request, device, bind_form=form)


@login_required
@require_POST
def unbind(request: HttpRequest, device_id: str) -> HttpResponse:
    device = _device(request.user, device_id)
    _check_manager(request.user)
    form = UnbindForm(request.POST)
    if form.is_valid():
        try:
            actions.unbind_device(device, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The device is unbound and kept in stock."))
            return redirect("alarms:device", device_id=device.device_id)
    return _detail(request, device, unbind_form=form)


@login_required
@require_POST
@never_cache
def import_sheet(request: HttpRequest) -> HttpResponse:
    """The vendor's sheet: the devices registered (their passwords, this once), those already
    registered, and each rejected row with its reasons."""
    _check_manager(request.user)
    form = DeviceImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            try:
                result = device_import.import_devices(by=request.user, data=upload.read(), filename=upload.name)
            except ValidationError as e:
                form.add_error("file", e)
    return render(request, "alarms/device_import.html", {
        "import_form": form, "result": result, "can_raise": True,
        "devices": [{"device": r.device, "password": r.password} for r in result.registered] if result else [],
    }, status=200 if result is not None else 400)


@login_required
@require_safe
def import_template(request: HttpRequest) -> HttpResponse:
    _check_manager(request.user)
    response = HttpResponse(device_import.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=\"devices-template.xlsx\"; filename*=UTF-8''%E8%AE%BE%E5%A4%87%E6%B8%85%E5%8D%95.xlsx"
    return response
