"""Template context shared by every page."""

from django.conf import settings


def site(request):
    """Settings the templates need (never anything about the visitor)."""
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
