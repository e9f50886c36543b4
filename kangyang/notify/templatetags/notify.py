from django import template
from django.utils.encoding import force_str

from kangyang.notify import messages

register = template.Library()


@register.filter
def audience(code: str) -> str:
    """Who the recipient was to the sender, in the reader's language."""
    return messages.audience_label(code)


@register.filter
def template_subject(code: str, language: str = "") -> str:
    """The message's title in the reader's language (the body is not shown: it may name the elder)."""
    found = messages.TEMPLATES.get(code)
    return force_str(found.subject) if found else code
