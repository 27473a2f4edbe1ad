"""The site's URLs: public pages and API (`programs`), the admin, health, search engines."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from programs import views
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

urlpatterns += i18n_patterns(path("guide/", include("guide.urls")), prefix_default_language=False)

handler404 = "programs.views.page_not_found"
handler500 = "programs.views.server_error"
