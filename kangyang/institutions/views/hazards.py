"""Pages: hazards (filled in by its topic)."""

urlpatterns: list = []
