"""`/manage/`: program staff pages."""

from django.urls import path

from . import views

app_name = "manage"

urlpatterns = [
    path("", views.index, name="index"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    path("programs/<slug:slug>/details/", views.program_details, name="program_details"),
    path("programs/<slug:slug>/verify/", views.program_verify, name="program_verify"),
    path("programs/<slug:slug>/tracks/add/", views.track_edit, name="track_add"),
    path("programs/<slug:slug>/tracks/<int:pk>/", views.track_edit, name="track_edit"),
    path(
        "programs/<slug:slug>/tracks/<int:pk>/openings/",
        views.track_availability,
        name="track_availability",
    ),
    path("programs/<slug:slug>/tracks/<int:pk>/delete/", views.track_delete, name="track_delete"),
]
