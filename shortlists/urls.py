"""The shortlist: list, compare, referral sheet (pages, in English and Spanish)."""

from django.urls import path

from . import views

app_name = "shortlists"

urlpatterns = [
    path("shortlist/", views.shortlist_detail, name="detail"),
    path("shortlist/add/<slug:slug>/", views.shortlist_add, name="add"),
    path("shortlist/remove/<slug:slug>/", views.shortlist_remove, name="remove"),
    path("shortlist/save/", views.shortlist_save, name="save"),
    path("shortlist/clear/", views.shortlist_clear, name="clear"),
    path("shortlist/compare/", views.shortlist_compare, name="compare"),
    path("shortlist/sheet/", views.shortlist_sheet, name="sheet"),
]
