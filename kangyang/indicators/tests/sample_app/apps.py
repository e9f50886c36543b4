from django.apps import AppConfig


class SampleAppConfig(AppConfig):
    """A made-up app for the tests: it adds an indicator by writing only its indicators.py."""

    name = "kangyang.indicators.tests.sample_app"
    label = "indicators_sample_app"
