"""Template helpers for program pages."""

import json

from django import template
from django.forms.widgets import Input
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from .. import cards, links

register = template.Library()

_CHOICE_INPUT = (
    '<label class="choice"><input type="{}" name="{}" value="{}" id="{}_{}"{}> {}</label>'
)
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(data):
    """Data as a JSON-LD script body, escaped so that it cannot close the script element."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))


@register.filter
def phone_link(number):
    """A listing's phone number as a link that dials it, or as text (links.phone_link)."""
    return links.phone_link(number)


@register.filter
def map_markers(programs, first_number=1):
    """The programs' map markers as a JSON data block for static/js/map.js, numbered as the
    result cards are (from `first_number`, the page's first result)."""
    markers = [
        {
            "number": number,
            "name": program.name,
            "url": program.get_absolute_url(),
            "lat": program.latitude,
            "lng": program.longitude,
            "approximate": program.location_precision == "zip",
        }
        for number, program in enumerate(programs, start=int(first_number or 1))
    ]
    return json_script(markers, "map-markers")


@register.simple_tag
def program_json_ld(program, request):
    """schema.org data for a program page."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": program.name,
        "url": request.build_absolute_uri(program.get_absolute_url()),
        "description": program.description,
        "parentOrganization": {"@type": "Organization", "name": program.provider.name},
        "address": {
            "@type": "PostalAddress",
            "streetAddress": program.street,
            "addressLocality": program.city,
            "addressRegion": program.state_id,
            "postalCode": program.zip,
            "addressCountry": "US",
        },
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": program.latitude,
            "longitude": program.longitude,
        },
        "medicalSpecialty": ["Psychiatric"] if program.treats_mental_health else [],
        "availableService": [
            {"@type": "MedicalTherapy", "name": term.name} for term in program.therapies
        ],
        "paymentAccepted": ", ".join(term.name for term in program.payments),
    }
    if program.phone:
        data["telephone"] = program.phone
    return ld_json(data)


# (form class, field, language) -> the field's choice values, and each choice written
# unchecked and checked. A form class's choices change only with the vocabulary, which makes a
# new class (ProgramFilterSet.get_form_class); the values are compared on every use anyway.
_CHOICE_HTML = {}
_CHOICE_HTML_KEPT = 256


def _choice_html(field, input_type):
    values = [value for value, _label in field.field.choices]
    key = (type(field.form), field.html_name, field.auto_id, input_type, get_language())
    kept = _CHOICE_HTML.get(key)
    if kept is not None and kept[0] == values:
        return kept[1]
    written = [
        (
            str(value),
            not value,
            *(
                format_html(
                    _CHOICE_INPUT,
                    input_type,
                    field.html_name,
                    value,
                    field.auto_id,
                    index,
                    checked,
                    label,  # a lazy translation, turned into the page's language here
                )
                for checked in ("", " checked")
            ),
        )
        for index, (value, label) in enumerate(field.field.choices)
    ]
    if len(_CHOICE_HTML) >= _CHOICE_HTML_KEPT:
        _CHOICE_HTML.clear()
    _CHOICE_HTML[key] = (values, written)
    return written


@register.simple_tag
def choice_inputs(field):
    """A radio or checkbox field's choices as labelled inputs, the selected ones checked (a
    radio field's empty choice when none is). Written here rather than as a template loop or
    Django's widget templates: a results page has about a hundred, and the loop took 7 ms; and
    each choice is written once per form class and language (its label's translation took
    2 ms a page), then only picked checked or not."""
    input_type = field.field.widget.input_type
    own = _own_choice(field)
    if own is not None:
        # What the search holds, as one more choice, checked: sent again as it is.
        label = gettext("As you gave it: %(value)s") % {"value": own}
        own_input = format_html(
            _CHOICE_INPUT, input_type, field.html_name, own, field.auto_id, "own", " checked", label
        )
        unchecked = (html for _value, _empty, html, _checked in _choice_html(field, input_type))
        return mark_safe("".join([*unchecked, own_input]))
    selected = {str(value) for value in _given(field)}
    radio_default = input_type == "radio" and not selected
    return mark_safe(
        "".join(
            checked if value in selected or (radio_default and empty) else unchecked
            for value, empty, unchecked, checked in _choice_html(field, input_type)
        )
    )


def _given(field):
    """The field's values as given (a list; [] for none)."""
    value = field.value()
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _own_choice(field):
    """For a field of radio buttons whose values its choices cannot show (free time of one's
    own, `free=tue,thu@08:00-12:00`, or two presets at once): the one value standing for them
    (the field's `joined_choice`); None otherwise. Without it no button was checked, and the
    next search from the form dropped the condition."""
    join = getattr(field.field, "joined_choice", None)
    if join is None or field.field.widget.input_type != "radio":
        return None
    given = list(dict.fromkeys(str(value) for value in _given(field) if str(value)))
    if len(given) == 1 and given[0] in {str(value) for value, _label in field.field.choices}:
        return None
    return join(given) if given else None


# (form class, field, id, language, value) -> the field written, for a form whose fields
# are written the same for the same value (`fields_written_by_value`) and a field without
# errors. Most of a search's 22 fields are empty or hold one of a few values. Free text (a
# place, words) is written afresh: it rarely recurs, and would push the rest out and keep
# people's searches in the worker's memory.
_FIELD_HTML = {}
_FIELD_HTML_KEPT = 2048
_FREE_TEXT_INPUTS = {"text", "search"}


def _value_key(value):
    """A field's value as part of a key: its type and text, item by item for a list."""
    if isinstance(value, (list, tuple)):
        return tuple((type(item).__name__, str(item)) for item in value)
    return type(value).__name__, str(value)


@register.simple_tag
def form_field(field):
    """One form field with its label (a legend for a list of choices) and its errors, tied to
    the input for screen readers. Radio and checkbox choices are written by choice_inputs,
    single inputs by field_input, selects here: a results page has 22 fields, and as an
    included template they took 3.9 ms of it. A search form's fields are kept as written
    (0.8 ms a page more)."""
    if (
        field.errors
        or not getattr(field.form, "fields_written_by_value", False)
        or getattr(field.field.widget, "input_type", None) in _FREE_TEXT_INPUTS
        or _own_choice(field) is not None  # a person's own free time is not kept either
    ):
        return _form_field(field)
    key = (
        type(field.form),
        field.html_name,
        field.auto_id,
        get_language(),
        _value_key(field.value()),
    )
    written = _FIELD_HTML.get(key)
    if written is None:
        if len(_FIELD_HTML) >= _FIELD_HTML_KEPT:
            _FIELD_HTML.clear()
        written = _FIELD_HTML[key] = _form_field(field)
    return written


def _form_field(field):
    errors = field.errors
    error_id = f"{field.auto_id}_error"
    error = (
        format_html('<p class="error" id="{}">{}</p>', error_id, " ".join(errors)) if errors else ""
    )
    widget = field.field.widget
    input_type = getattr(widget, "input_type", None)
    if input_type == "radio" or getattr(widget, "allow_multiple_selected", False):
        described = format_html(' aria-describedby="{}"', error_id) if errors else ""
        body = format_html(
            "<fieldset{}>\n      <legend>{}</legend>\n      {}\n      {}\n    </fieldset>",
            described,
            field.label,
            choice_inputs(field),
            error,
        )
    elif input_type == "select":
        value = field.value()
        selected = "" if value is None else str(value)
        invalid = (
            format_html(' aria-invalid="true" aria-describedby="{}"', error_id) if errors else ""
        )
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (choice, " selected" if str(choice) == selected else "", label)
                for choice, label in field.field.choices
            ),
        )
        body = format_html(
            '<label for="{}">{}</label>\n    {}\n    <select name="{}" id="{}"{}>\n      {}\n'
            "    </select>",
            field.auto_id,
            field.label,
            error,
            field.html_name,
            field.auto_id,
            invalid,
            options,
        )
    else:
        body = format_html(
            '<label for="{}">{}</label>\n    {}\n    {}',
            field.auto_id,
            field.label,
            error,
            field_input(field),
        )
    return format_html('<div class="field{}">\n  {}\n</div>', " has-error" if errors else "", body)


# The widgets whose templates only include Django's input.html: field_input writes the same.
_PLAIN_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "search", "email", "url", "date", "time", "datetime")
}


@register.simple_tag
def field_input(field):
    """A field of one `<input>` (text, number, time, date), written as Django's widget
    templates write it (input.html with attrs.html) but without rendering those two templates
    for each field: on a results page that took 2.4 ms. Other widgets are rendered by Django."""
    widget = field.field.widget
    if (
        not isinstance(widget, Input)
        or widget.template_name not in _PLAIN_INPUT_TEMPLATES
        or field.field.show_hidden_initial
    ):
        return str(field)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    value = context["value"]
    attributes = "".join(
        format_html(" {}", name) if setting is True else format_html(' {}="{}"', name, setting)
        for name, setting in context["attrs"].items()
        if setting is not False
    )
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        "" if value is None else format_html(' value="{}"', value),
        mark_safe(attributes),  # each part escaped by format_html
    )


@register.simple_tag(takes_context=True)
def result_cards(context, programs, first_number=1):
    """The result cards of a page (programs.cards), numbered from `first_number`."""
    request = context.get("request")
    return cards.result_cards(
        programs,
        first_number=int(first_number or 1),
        place=context.get("place"),
        next_url=request.get_full_path() if request else "",
    )


@register.simple_tag
def verified_note(program, date_format):
    """Who last confirmed the listing, and when (programs.cards.verified_note)."""
    return cards.verified_note(program, date_format)


@register.simple_tag
def schedule_unlisted(program):
    """What to do when a listing gives no schedule (programs.cards.schedule_unlisted)."""
    return cards.schedule_unlisted(program)
