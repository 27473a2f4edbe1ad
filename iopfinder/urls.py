"""The site's URLs: public pages in English (unprefixed) and Spanish (`/es/...`); the API,
HSDS, CSV exports, the admin, `/manage/`, health and search-engine files at one address each."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from iopfinder import views
from programs.sitemaps import PageSitemap, ProgramSitemap

SITEMAPS = {"pages": PageSitemap, "programs": ProgramSitemap}

urlpatterns = [
    path("", include("programs.api_urls")),
    path("", include("shortlists.export_urls")),
    path("admin/", admin.site.urls),
    path("manage/", include("staff.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # The home page and the first page of programs; every page of programs at the section's
    # address (`?p=N`), and robots.txt lists them all.
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    *i18n_patterns(
        path("", include("programs.urls")),
        path("", include("shortlists.urls")),
        path("guide/", include("guide.urls")),
        prefix_default_language=False,
    ),
]

handler404 = "iopfinder.views.page_not_found"
handler500 = "iopfinder.views.server_error"
