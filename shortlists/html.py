"""The shortlist's "Add" button, as HTML: on every result card (programs.cards) and on the
program page (`{% shortlist_add_button %}`)."""

from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from programs.links import slug_url

from .middleware import CSRF_PLACEHOLDER


def csrf_input():
    """A CSRF hidden input that is safe in cached pages: the middleware fills in the token."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', CSRF_PLACEHOLDER
    )


@lru_cache(maxsize=16)
def _button_parts(language, script_prefix):
    """What every "Add" button of a page shares: the shortlist's address and the labels."""
    return (
        reverse("shortlists:detail"),
        gettext("View shortlist"),
        gettext("Add to shortlist"),
        gettext("On your shortlist."),
    )


def add_buttons(*, place=None, next_url=""):
    """A function that writes a program's "Add" button: a form that adds it to the visitor's
    shortlist and comes back to `next_url`, with the `place` searched from, so that the
    shortlist can give distances from it. What the buttons of a page share (the shortlist's
    address, the labels, the token's input, the place) is written once, here."""
    shortlist_url, view_label, add_label, on_label = _button_parts(
        get_language(), get_script_prefix()
    )
    origin = ""
    if place:
        origin = format_html(
            '<input type="hidden" name="from_label" value="{}">'
            '<input type="hidden" name="from_lat" value="{}">'
            '<input type="hidden" name="from_lng" value="{}">',
            place.label,
            str(place.lat),
            str(place.lng),
        )
    attributes = format_html(
        'data-shortlist-add data-shortlist-url="{}" data-view-label="{}" data-on-label="{}"',
        shortlist_url,
        view_label,
        on_label,
    )
    inputs = format_html(
        '  {}\n  {}\n  <input type="hidden" name="next" value="{}">\n',
        csrf_input(),
        origin,
        next_url,
    )
    label = conditional_escape(add_label)
    status = '  <span class="shortlist-status" role="status" data-shortlist-status></span>\n'

    def add_button(program):
        action = conditional_escape(slug_url("shortlists:add", program.slug))
        name = conditional_escape(program.name)
        slug = conditional_escape(program.slug)
        return mark_safe(
            f'<form class="shortlist-add" method="post" action="{action}" data-slug="{slug}" '
            f"{attributes}>\n"
            f"{inputs}"
            f'  <button type="submit">{label}<span class="visually-hidden">: {name}</span>'
            f"</button>\n{status}</form>"
        )

    return add_button


def add_button(program, *, place=None, next_url=""):
    """The "Add" button of one program (add_buttons)."""
    return add_buttons(place=place, next_url=next_url)(program)
