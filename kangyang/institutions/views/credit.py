"""Pages: credit (filled in by its topic)."""

urlpatterns: list = []
