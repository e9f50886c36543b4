"""Pages: rating (filled in by its topic)."""

urlpatterns: list = []
