"""The site's URLs: public pages and API (`programs`), the admin, health, search engines."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from iopfinder import views
from programs.sitemaps import ProgramSitemap

urlpatterns = [
    path("", include("programs.urls")),
    path("", include("shortlists.urls")),
    path("admin/", admin.site.urls),
    path("manage/", include("staff.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"programs": ProgramSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

handler404 = "iopfinder.views.page_not_found"
handler500 = "iopfinder.views.server_error"
