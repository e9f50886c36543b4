"""Pages of the health app's screening topic."""

urlpatterns = []
