"""``/portal/``: the citizen portal."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("done/<str:number>/", views.done, name="done"),
    path("lookup/", views.lookup, name="lookup"),
    path("ticket/<str:number>/", views.ticket, name="ticket"),
    path("ticket/<str:number>/photos/<int:photo_id>/", views.photo, name="photo"),
    path("rate/<str:token>/", views.rate, name="rate"),
    path("openapi.json", views.openapi, name="openapi"),
]
