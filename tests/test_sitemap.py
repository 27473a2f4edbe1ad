"""The sitemap in pages: every published program once in each language, whatever the size of
the catalogue, each page found through robots.txt."""

import re

import pytest

from programs.models import Program
from programs.sitemaps import ProgramSitemap

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_every_published_program_is_on_one_page_in_each_language(client, monkeypatch, limit):
    monkeypatch.setattr(ProgramSitemap, "limit", limit)
    for n in range(6):
        ProgramFactory(slug=f"p{n}")
    ProgramFactory(slug="draft", status=Program.Status.DRAFT)

    robots = client.get("/robots.txt").content.decode()
    sitemaps = re.findall(r"^Sitemap: http://testserver(\S+)$", robots, re.MULTILINE)
    pages = -(-6 // limit)
    assert sitemaps == [
        "/sitemap.xml",
        *[f"/sitemap-programs.xml?p={page}" for page in range(2, pages + 1)],
    ]
    listed = [loc for url in sitemaps for loc in locations(client, url)]
    programs = [loc for loc in listed if "/programs/" in loc]
    expected = [
        f"http://testserver{prefix}/programs/p{n}/" for n in range(6) for prefix in ("", "/es")
    ]
    assert programs == expected  # each once, in order, both languages side by side
    assert "http://testserver/es/" in listed  # the home page, on the first
    assert client.get(f"/sitemap-programs.xml?p={pages + 1}").status_code == 404
    assert client.get("/sitemap-programs.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_page_reads_only_its_own_programs(client, monkeypatch):
    """Django's i18n sitemap read every program to take one page of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(ProgramSitemap, "limit", 2)
    for n in range(8):
        ProgramFactory(slug=f"p{n}")
    with CaptureQueriesContext(connection) as queries:
        assert len(locations(client, "/sitemap-programs.xml?p=2")) == 4
    reads = [q["sql"] for q in queries if 'FROM "programs_program"' in q["sql"]]
    assert any("LIMIT 2 OFFSET 2" in sql for sql in reads), reads


def test_language_pairs_index_like_a_list():
    from programs.sitemaps import LanguagePairs

    for n in range(3):
        ProgramFactory(slug=f"p{n}")
    pairs = LanguagePairs(Program.objects.order_by("pk"), ["en", "es"])
    listed = [(program.slug, language) for program, language in pairs[0 : len(pairs)]]
    assert len(pairs) == 6 and listed[:2] == [("p0", "en"), ("p0", "es")]
    for index in range(-6, 6):
        program, language = pairs[index]
        assert (program.slug, language) == listed[index]
    with pytest.raises(IndexError):
        pairs[6]
