"""Pages: inspections (filled in by its topic)."""

urlpatterns: list = []
