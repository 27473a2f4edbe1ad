"""The guide's pages: one a question, then the prefilled search (under /guide/ and /es/guide/)."""

from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("", views.question, {"slug": "safety"}, name="start"),
    path("done/", views.done, name="done"),
    path("<slug:slug>/", views.question, name="step"),
]
