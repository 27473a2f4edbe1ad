"""Template helpers for the shortlist."""

from django import template

from .. import facts, html

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


@register.filter
def distance_from_place(program):
    """How far the program is from the place it was shortlisted from, "about" when its point
    is its ZIP code's centre, as the comparison and the CSV say it (facts.distance)."""
    return facts.distance(program)
