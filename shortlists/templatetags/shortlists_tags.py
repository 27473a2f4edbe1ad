"""Template helpers for the shortlist."""

from django import template

from .. import html

register = template.Library()


@register.simple_tag(takes_context=True)
def shortlist_add_button(context, program):
    """The "Add to shortlist" form (shortlists.html.add_button), coming back to this page."""
    request = context.get("request")
    return html.add_button(
        program,
        place=context.get("place"),
        next_url=request.get_full_path() if request else "",
    )
