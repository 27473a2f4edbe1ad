"""Public pages, in English (unprefixed) and Spanish (`/es/...`): see iopfinder/urls.py."""

from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.home, name="home"),
    path("programs/", views.ProgramListView.as_view(), name="list"),
    path("programs/<slug:slug>/", views.ProgramDetailView.as_view(), name="detail"),
    path("programs/<slug:slug>/corrections/", views.correction_create, name="correction_create"),
]
