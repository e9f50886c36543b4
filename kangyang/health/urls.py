"""Staff pages of health services (/health/): each topic's views module lists its own URLs."""

from kangyang.health.views import checkups, contracts, followups, panel, readings, records, screening

app_name = "health"
urlpatterns = [
    *panel.urlpatterns,
    *records.urlpatterns,
    *contracts.urlpatterns,
    *checkups.urlpatterns,
    *followups.urlpatterns,
    *readings.urlpatterns,
    *screening.urlpatterns,
]
