"""Pages of the health app's contracts topic."""

urlpatterns = []
