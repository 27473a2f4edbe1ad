"""Template helpers for the shortlist."""

from django import template
from django.utils.html import format_html

from ..middleware import CSRF_PLACEHOLDER

register = template.Library()


@register.simple_tag
def shortlist_csrf_input():
    """A CSRF hidden input that is safe in cached pages: the middleware fills in the token."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', CSRF_PLACEHOLDER
    )
