"""Pages: subsidies (filled in by its topic)."""

urlpatterns: list = []
