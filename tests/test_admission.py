"""Admission control (issue 10): at most SEARCH_SLOTS uncached searches at once on a server.

The probe (`tests/test_probe.py`) measures what it buys under gunicorn: `/healthz` while four
clients repeat the most expensive searches.
"""

import threading

import pytest
from django.test.signals import template_rendered

from iopfinder.admission import SLOTS_DIR_ENV, NoSlot, search_slot, slot_given_back

from .factories import ProgramFactory


def test_a_slot_is_held_across_threads_and_freed_when_the_block_ends(tmp_path):
    held, release = threading.Event(), threading.Event()

    def holder():
        with search_slot(tmp_path, slots=1, wait=1):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(5)
    with pytest.raises(NoSlot), search_slot(tmp_path, slots=1, wait=0.05):
        pass
    with search_slot(tmp_path, slots=2, wait=0.05):  # a second slot is free
        pass
    release.set()
    thread.join()
    with search_slot(tmp_path, slots=1, wait=0.05):
        pass


def test_a_freed_slot_is_taken_by_a_waiting_search(tmp_path):
    held = threading.Event()

    def holder():
        with search_slot(tmp_path, slots=1, wait=1):
            held.set()
            threading.Event().wait(0.2)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(5)
    with search_slot(tmp_path, slots=1, wait=5):  # waits for the holder, does not fail
        pass
    thread.join()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/programs/", "/programs/", "/programs.csv", "/hsds/services/"]
)
def test_a_search_that_finds_no_slot_gets_the_plain_503_and_changes_nothing(
    client, settings, monkeypatch, tmp_path, path
):
    ProgramFactory()
    settings.SEARCH_SLOTS, settings.SEARCH_SLOT_WAIT = 1, 0.05
    monkeypatch.setenv(SLOTS_DIR_ENV, str(tmp_path))
    with search_slot(tmp_path, slots=1, wait=1):
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    if path.startswith("/api/"):
        assert "errors" in response.json()
    elif path == "/programs/":
        assert "988" in response.content.decode()
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_without_a_server_slots_directory_searches_are_not_limited(
    client, settings, monkeypatch, tmp_path
):
    settings.SEARCH_SLOTS, settings.SEARCH_SLOT_WAIT = 1, 0.05
    monkeypatch.delenv(SLOTS_DIR_ENV, raising=False)
    with search_slot(tmp_path, slots=1, wait=1):
        assert client.get("/api/programs/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "limited"),
    [
        ("", True),
        ("?sort=hours", True),
        ("?near=22902", False),
        ("?near=22902&radius=100", False),
        ("?near=22902&radius=500", True),
        ("?lat=38.03&lng=-78.48&radius=20", False),
        ("?near=22902&radius=wide", True),
    ],
)
def test_only_wide_searches_wait_for_a_slot(
    client, settings, monkeypatch, tmp_path, query, limited
):
    """A search around a place reads a few hundred programs and runs freely; one without a place
    or across hundreds of miles reads the whole catalogue and waits for a slot."""
    ProgramFactory()
    settings.SEARCH_SLOTS, settings.SEARCH_SLOT_WAIT = 1, 0.05
    monkeypatch.setenv(SLOTS_DIR_ENV, str(tmp_path))
    with search_slot(tmp_path, slots=1, wait=1):
        response = client.get(f"/api/programs/{query}")
    assert (response.status_code == 503) is limited, response.status_code


@pytest.mark.django_db
def test_a_results_page_is_rendered_while_its_slot_is_held(client, settings, monkeypatch, tmp_path):
    """Rendering a page of results costs as much as finding them: a wide search's page is
    rendered before its slot is given back, not after (`/healthz` under the worst searches)."""
    ProgramFactory()
    settings.SEARCH_SLOTS, settings.SEARCH_SLOT_WAIT = 1, 0.05
    monkeypatch.setenv(SLOTS_DIR_ENV, str(tmp_path))
    events = []

    def rendered(sender, template, **kwargs):
        events.append(("rendered", template.name))

    def given_back(sender, **kwargs):
        events.append(("given back", None))

    template_rendered.connect(rendered)
    slot_given_back.connect(given_back)
    try:
        response = client.get("/programs/?sort=hours")
    finally:
        template_rendered.disconnect(rendered)
        slot_given_back.disconnect(given_back)
    assert response.status_code == 200
    assert ("rendered", "programs/program_list.html") in events
    assert events[-1] == ("given back", None)
