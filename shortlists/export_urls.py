"""The shortlist and a search's results as CSV: data with English column names, one address
each, never under a language prefix (a namespace of their own, see programs/api_urls.py)."""

from django.urls import path

from . import views

app_name = "shortlists_exports"

urlpatterns = [
    path("shortlist.csv", views.shortlist_csv, name="csv"),
    path("programs.csv", views.program_list_csv, name="programs_csv"),
]
