"""Staff pages of the supervision of institutions (/institutions/): each topic's views module
lists its own URLs."""

from kangyang.institutions.views import credit, hazards, inspections, rating, register, standards, subsidies

app_name = "institutions"
urlpatterns = [
    *register.urlpatterns,
    *standards.urlpatterns,
    *rating.urlpatterns,
    *inspections.urlpatterns,
    *hazards.urlpatterns,
    *credit.urlpatterns,
    *subsidies.urlpatterns,
]
