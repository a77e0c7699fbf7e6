from django.urls import URLPattern

app_name = "handicap"
urlpatterns: list[URLPattern] = []
