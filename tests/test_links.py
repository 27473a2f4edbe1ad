"""Program addresses written around the slug (programs.links) are reverse's, in either
language and under a script prefix; a listing's phone number is a `tel:` address that dials
it."""

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from programs.links import is_phone_number, phone_link, slug_url, tel_href

VIEWS = ["programs:detail", "shortlists:add", "shortlists:remove"]


@pytest.fixture(params=["/", "/directory/"])
def script_prefix(request):
    set_script_prefix(request.param)
    yield request.param
    clear_script_prefix()


@pytest.mark.parametrize("viewname", VIEWS)
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("slug", ["a", "recovery-center_2", "ABC-123"])
def test_slug_url_is_the_address_reverse_gives(script_prefix, viewname, language, slug):
    with translation.override(language):
        url = slug_url(viewname, slug)
        assert url == reverse(viewname, kwargs={"slug": slug})
    assert url.startswith(script_prefix + ("es/" if language == "es" else ""))


@pytest.mark.parametrize("viewname", VIEWS)
@pytest.mark.parametrize("slug", ["caf\u00e9", "a/b", "a b", ""])
def test_what_is_not_a_slug_has_no_address_either_way(viewname, slug):
    with pytest.raises(NoReverseMatch):
        reverse(viewname, kwargs={"slug": slug})
    with pytest.raises(NoReverseMatch):
        slug_url(viewname, slug)


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("434-972-1800", "tel:+14349721800"),
        ("212-529-6320 x8731", "tel:+12125296320,8731"),  # as SAMHSA's directory writes them
        ("(212) 529-6320 ext. 12", "tel:+12125296320,12"),
        ("1-800-662-4357", "tel:+18006624357"),
        ("+1 212.529.6320", "tel:+12125296320"),
        ("988", "tel:988"),
        # As people type them into /manage/
        ("434.972.1800 Ext: 4", "tel:+14349721800,4"),
        ("(434)972-1800 opt 2", "tel:+14349721800"),  # a menu choice is no extension
        ("434-972-1800 or 434-972-1801", "tel:+14349721800"),  # the first of two
        ("+44 20 7946 0958", "tel:+442079460958"),
        ("1-800-FLOWERS", ""),  # letters: nothing we can dial
        ("TBD", ""),
        ("x", ""),
        ("", ""),
    ],
)
def test_a_phone_number_is_dialled_as_listed_with_its_extension(number, href):
    assert tel_href(number) == href


@pytest.mark.parametrize(
    ("text", "is_number"),
    [
        ("434-972-1800", True),
        ("988", True),
        ("1-800-GET-HELP", True),  # shown as written, dialled on the keypad
        ("800-662-HELP (4357)", True),
        ("1-800-FLOWERS", True),
        ("TBD", False),
        ("call us maybe", False),
        ("javascript:alert(1)", False),
    ],
)
def test_a_phone_number_is_one_people_can_dial_even_in_letters(text, is_number):
    assert is_phone_number(text) is is_number


def test_a_phone_number_with_nothing_to_dial_is_text_not_a_link():
    assert phone_link("TBD <b>") == "TBD &lt;b&gt;"
    assert phone_link('434-555-0100" onclick="x') == (
        '<a href="tel:+14345550100">434-555-0100&quot; onclick=&quot;x</a>'
    )
