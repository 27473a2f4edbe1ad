"""The JSON API and HSDS: one address each, never under a language prefix (CONTRACT).

A namespace of their own: Django reverses a namespace into one place only, and the pages'
namespace (`programs`) lives under the language prefix.
"""

from django.urls import path

from . import api, hsds

app_name = "programs_api"

urlpatterns = [
    path("api/programs/", api.program_list, name="api_list"),
    path("api/programs/<slug:slug>/", api.program_detail, name="api_detail"),
    path("hsds/services/", hsds.service_list, name="hsds_service_list"),
    path("hsds/services/<uuid:service_id>/", hsds.service_detail, name="hsds_service_detail"),
]
