"""The notify app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    "notify.preference": _("changed how they are told"),
}
