"""Pages of the health app's followups topic."""

urlpatterns = []
