"""Pages of the health app's checkups topic."""

urlpatterns = []
