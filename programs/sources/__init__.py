"""Where listings come from: one module a source, behind one small interface.

Each source module defines
- ``NAME`` (what people read), ``SLUG`` (stored in ``Program.source``) and ``EDITION_COMPLETE``
  (whether one file is the source's whole directory, so that listings it lacks are flagged);
- ``read(path)``: the file's rows (raises ``ImportFileError``);
- ``is_iop(row)``: whether a row is an intensive outpatient program;
- ``listing(row)``: the listing the row gives (a dict, see ``programs.listings``; raises
  ``ValueError`` with what is wrong);
- ``key(listing)``: the listing's stable key within the source;
- ``OWNED_FIELDS`` and ``OWNED_TERM_KINDS``: what a re-import may change; anything else on
  the listing (tracks, step-down levels, status, openings, notes, added terms) stays as
  curators and programs left it.

The ``programs`` format (our own export) is keyed by slug and owns everything.
"""

from . import findtreatment, program_json, samhsa_directory

REGISTRY = {module.SLUG: module for module in (program_json, findtreatment, samhsa_directory)}


def get(slug):
    """The source module for a format name (KeyError when there is none)."""
    return REGISTRY[slug]


def source_name(slug):
    """What people read for a stored `Program.source` ("" when entered by hand)."""
    module = REGISTRY.get(slug)
    return module.NAME if module else ""


def source_label(slug, edition=""):
    """A listing's origin as people read it: "SAMHSA's 2023 directory", "FindTreatment.gov"."""
    module = REGISTRY.get(slug)
    if module is None or module is program_json:
        return ""
    return module.label(edition)
