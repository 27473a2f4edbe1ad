"""Public pages and the JSON API."""

from django.urls import path

from . import api, hsds, views

app_name = "programs"

urlpatterns = [
    path("", views.home, name="home"),
    path("programs/", views.ProgramListView.as_view(), name="list"),
    path("programs/<slug:slug>/", views.ProgramDetailView.as_view(), name="detail"),
    path("programs/<slug:slug>/corrections/", views.correction_create, name="correction_create"),
    path("api/programs/", api.program_list, name="api_list"),
    path("api/programs/<slug:slug>/", api.program_detail, name="api_detail"),
    path("hsds/services/", hsds.service_list, name="hsds_service_list"),
    path("hsds/services/<uuid:service_id>/", hsds.service_detail, name="hsds_service_detail"),
]
