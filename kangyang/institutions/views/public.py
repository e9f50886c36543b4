"""Pages: public (filled in by its topic)."""

urlpatterns: list = []
