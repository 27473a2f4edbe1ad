"""Result cards and the notes they share with program pages, written as HTML in Python.

A results page shows up to 100 cards. As a template, a card cost 1.3-1.8 ms when rendered
afresh, most of it the template engine's overhead per node, variable and translation, and
0.6 ms read back in parts from a cache; 20 cards took 34 ms of a page's 41 ms of template time
at 100,000 programs, where a new search rarely found its cards' parts cached. Here a card takes
about 0.11 ms, every time, with no cache to keep true (docs/performance.md, "Fifth round" and
"Sixth round"; tests/test_cards.py).

Every value from the database is escaped (`escape`) where it is written into the HTML; what
the helpers return is safe HTML. Sentences with values in them are filled as
`{% blocktranslate %}` fills them (`_filled`), so they keep their messages in the Spanish
catalogue. The card's fixed words are translated once per language (`_labels`). Program and
staff pages use the same notes through `programs_extras` (`verified_note`, `schedule_unlisted`).
"""

import html
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from shortlists.html import add_buttons

from .links import phone_link, tel_href
from .models import Program, Term

TENTH = Decimal("0.1")

LABELS = {
    "ages": _("Ages"),
    "co_occurring": _("co-occurring"),
    "demo": _("Demo listing"),
    "intake": _("Intake"),
    "languages": _("Languages"),
    "licensed": _("(licensed in your state)"),
    "mental_health": _("mental health"),
    "not_listed": _("not listed"),
    "openings": _("Openings"),
    "payment": _("Payment"),
    "phone": _("Phone"),
    "phone_not_listed": _("Phone not listed"),
    "step_down": _("Step-down from"),
    "substance_use": _("substance use"),
    "treats": _("Treats"),
    "verified": _("Verified"),
    **{f"format_{value}": label for value, label in Program.Format.choices},
}


def escape(value):
    """The text of django.utils.html.escape(value), as a plain str for the card's f-strings:
    the same five characters replaced, without its check for lazy strings in every call (a
    quarter of a card's escaping time)."""
    return html.escape(str(value))


@lru_cache(maxsize=16)
def _labels_in(language):
    return {name: escape(str(label)) for name, label in LABELS.items()}


def _labels():
    """The card's fixed words in the active language, escaped."""
    return _labels_in(get_language())


def _filled(message, **values):
    """A translated `message` with its `%(name)s` places filled with escaped values."""
    return mark_safe(message % {name: escape(value) for name, value in values.items()})


def _joined(terms):
    """Terms' names in the active language, escaped and joined: "Medicaid, Medicare"."""
    return _names_in(get_language(), tuple(term.name for term in terms))


@lru_cache(maxsize=4096)
def _names_in(language, names):
    # As Term's str; the same few lists of payments and languages recur from card to card.
    return escape(", ".join(gettext(name) for name in names))


@lru_cache(maxsize=1024)
def _date_in(language, date, format_string):
    # A page's listings were verified on a few dates: each written once per language and
    # format (Django's date formatting was a sixth of a card's time).
    return date_format(date, format_string)


def verified_note(program, date_format_string):
    """Who last confirmed the listing and when, or where it comes from: "Verified Mar 4,
    2026 by the program", "Not verified since ...", "From SAMHSA's 2023 directory; ..."."""
    if program.last_verified:
        date = _date_in(get_language(), program.last_verified, date_format_string)
        if program.is_stale:
            note = _filled(gettext("Not verified since %(date)s"), date=date)
            return mark_safe(f'<span class="stale">{note}</span>')
        if program.verified_by_role == "provider":
            return _filled(gettext("Verified %(date)s by the program"), date=date)
        if program.verified_by_role == "curator":
            return _filled(gettext("Verified %(date)s by a curator"), date=date)
        return _filled(gettext("Verified %(date)s"), date=date)
    source = program.source_label
    if source:
        return _filled(gettext("From %(source)s; not yet confirmed by the program"), source=source)
    not_verified = escape(gettext("Not yet verified"))  # outside the f-string: xgettext reads it
    return mark_safe(f'<span class="stale">{not_verified}</span>')


def schedule_unlisted(program):
    """What to do when a listing gives no schedule: call its number, if it has one."""
    phone = program.contact_phone
    href = tel_href(phone) if phone else ""
    if href:
        return _filled(
            gettext('Schedule not listed: call <a href="%(href)s">%(phone)s</a> to ask.'),
            href=href,
            phone=phone,
        )
    return mark_safe(escape(gettext("Schedule not listed: contact the program to ask.")))


def _tenths(miles):
    """A distance rounded to tenths as `floatformat(miles, 1)` rounds it: its decimal digits,
    half up."""
    return Decimal(str(miles)).quantize(TENTH, ROUND_HALF_UP)


@lru_cache(maxsize=4096)
def _miles_in(language, tenths):
    # floatformat(miles, 1) in the language's numbers ("12.5", "12,5"), written once for each
    # tenth of a mile (Django's floatformat was a tenth of a card's time).
    return floatformat(tenths, 1)


def _where(program, labels, place):
    distance = ""
    if program.distance_miles is not None:
        miles = _miles_in(get_language(), _tenths(program.distance_miles))
        if program.location_precision == "zip":
            text = _filled(gettext("about %(miles)s mi"), miles=miles)
        else:
            text = _filled(gettext("%(miles)s mi"), miles=miles)
        distance = f'<strong class="distance">{text}</strong> · '
    licensed = ""
    if place is not None and program.format != "in-person" and program.distance_miles is None:
        # Found beyond the circle because it treats the place's state remotely; with no
        # place searched, no card has a distance and "your state" is nobody's.
        licensed = f" {labels['licensed']}"
    return (
        f'<p class="where">\n    {distance}{escape(program.city)}, {escape(program.state_id)}\n'
        f"    · {labels[f'format_{program.format}']}{licensed}\n  </p>"
    )


def _basics(program, labels, terms):
    """What a referring clinician needs on every card: whom it treats and how to call."""
    phones = " · ".join(
        f"{label} {phone_link(number)}"
        for label, number in [
            (labels["intake"], program.intake_phone),
            (labels["phone"], program.phone),
        ]
        if number
    )
    needs = [
        labels[need]
        for need, treated in [
            ("substance_use", program.treats_substance_use),
            ("mental_health", program.treats_mental_health),
        ]
        if treated
    ]
    treats = ", ".join(needs)
    if program.co_occurring:
        treats += f" ({labels['co_occurring']})"
    if not needs:
        treats += labels["not_listed"]
    languages = _joined(terms.get(Term.Kind.LANGUAGE, []))
    return (
        f'<p class="card-basics">\n  {phones or labels["phone_not_listed"]}<br>\n'
        f"  {labels['treats']}: {treats}\n"
        f"  · {labels['ages']}: {escape(program.ages_display)}\n"
        f"  · {labels['languages']}: {languages or labels['not_listed']}\n</p>"
    )


def _tracks(program, tracks):
    if tracks:
        items = "".join(
            f"<li><strong>{escape(track.name)}:</strong> {escape(track.summary())}"
            f"{_track_openings(track)}</li>"
            for track in tracks
        )
    else:
        items = f'<li class="unlisted">{schedule_unlisted(program)}</li>'
    return f'<ul class="tracks">\n    {items}\n  </ul>'


def _track_openings(track):
    """What a track has open while current (Track.openings_words): " · 3 openings · next start
    December 14". A discharge planner looks for a place this week on the card, not on each
    program's page."""
    words = track.openings_words()
    return f'<span class="openings"> · {" · ".join(map(escape, words))}</span>' if words else ""


def _zone(program, place, tracks):
    # The program's zone where a searcher may read its times in another: searching from
    # another zone, or a program that treats people at a distance.
    remote = program.format != "in-person"
    elsewhere = place is not None and place.time_zone and place.time_zone != program.time_zone
    zone = program.time_zone_abbreviation if remote or elsewhere else ""
    if not (zone and tracks):
        return ""
    note = _filled(gettext("Times are %(zone)s (the program's local time)."), zone=zone)
    return f'<p class="zone">{note}</p>'


def _facts(program, labels, terms):
    rows = []
    payments = terms.get(Term.Kind.PAYMENT, [])
    if payments:
        rows.append(f"<div><dt>{labels['payment']}</dt><dd>{_joined(payments)}</dd></div>")
    openings = escape(program.availability_display)
    state = program.availability if program.availability_listed else "unlisted"
    rows.append(
        f"<div><dt>{labels['openings']}</dt>"
        f'<dd class="availability-{escape(state)}">{openings}</dd></div>'
    )
    step_down = terms.get(Term.Kind.STEP_DOWN, [])
    if step_down:
        rows.append(f"<div><dt>{labels['step_down']}</dt><dd>{_joined(step_down)}</dd></div>")
    verified = verified_note(program, gettext("M j, Y"))
    rows.append(f"<div><dt>{labels['verified']}</dt><dd>{verified}</dd></div>")
    return '<dl class="facts">\n    ' + "\n    ".join(rows) + "\n  </dl>"


def _related(program, name):
    """`program.<name>.all()`: the prefetched list when there is one (a listing's always has),
    without the related manager the field's descriptor builds on every read (a tenth of a
    card's time)."""
    prefetched = getattr(program, "_prefetched_objects_cache", {}).get(name)
    return prefetched if prefetched is not None else getattr(program, name).all()


def result_card(program, *, number=None, place=None, next_url="", add_button=None):
    """One result card: the program's name and link, distance and place, how to call, its
    tracks, payment, openings, step-down and verification, and the shortlist button
    (`add_button`, the page's from shortlists.html.add_buttons, if its cards share one)."""
    labels = _labels()
    tracks = list(_related(program, "tracks"))
    terms = {}  # as Program.payments etc., the terms read once
    for term in _related(program, "terms"):
        terms.setdefault(term.kind, []).append(term)
    number_html = f'<span class="result-number">{escape(number)}.</span> ' if number else ""
    demo = f' <span class="badge demo">{labels["demo"]}</span>' if program.is_demo else ""
    parts = [
        f'<h3>{number_html}<a href="{escape(program.get_absolute_url())}">'
        f"{escape(program.name)}</a></h3>",
        f'<p class="provider">{escape(program.provider.name)}{demo}</p>',
        _where(program, labels, place),
        _basics(program, labels, terms),
        _tracks(program, tracks),
        _zone(program, place, tracks),
        _facts(program, labels, terms),
        (add_button or add_buttons(place=place, next_url=next_url))(program),
    ]
    return mark_safe(
        '<article class="program-card">\n  ' + "\n  ".join(p for p in parts if p) + "\n</article>"
    )


def result_cards(programs, *, first_number=1, place=None, next_url=""):
    """The cards of a page of results, numbered from `first_number` as the map's markers."""
    add_button = add_buttons(place=place, next_url=next_url)  # their shared parts once
    return mark_safe(
        "".join(
            result_card(program, number=number, place=place, add_button=add_button)
            for number, program in enumerate(programs, start=first_number)
        )
    )
