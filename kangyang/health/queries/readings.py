"""Reads of the health app's readings topic."""


def panel_section(user):
    """The readings part of the health panel (/health/) for this user: a dict for the template
    health/panel/_readings.html, or None when it has nothing for them."""
    return None


def elder_section(user, elder):
    """The readings part of an elder's health page (/health/elders/<id>/), already allowed to the user
    (scope.reads_health): a dict for health/elder/_readings.html, or None when there is nothing to show."""
    return None
