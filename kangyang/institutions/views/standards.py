"""Pages: standards (filled in by its topic)."""

urlpatterns: list = []
