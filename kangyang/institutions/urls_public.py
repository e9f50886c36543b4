"""The public disclosure pages (/public/institutions/): no sign-in, nothing personal."""

from kangyang.institutions.views import public

app_name = "public_institutions"
urlpatterns = public.urlpatterns
