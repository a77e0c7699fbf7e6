"""URLs of the evaluations app; each area owns its module."""

from evaluations.urls import documents, jury, sessions

app_name = "evaluations"
urlpatterns = [*sessions.urlpatterns, *jury.urlpatterns, *documents.urlpatterns]
