"""Pages of the health app's readings topic."""

urlpatterns = []
