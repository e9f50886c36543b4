"""Pages of the health app's records topic."""

urlpatterns = []
