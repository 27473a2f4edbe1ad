"""Imports from the sources in programs.sources (all or nothing), and the export."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import sources
from ..models import Program, Provider, Term, Track
from ..serializers import program_to_dict
from ..sources.base import RowError
from .bulk import rows_insert
from .listings import program_history_terms_record, track_schedule_set


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows that are not IOPs
    merged: list[str] = field(default_factory=list)  # rows that repeat an earlier row
    missing: list[str] = field(default_factory=list)  # listings the new edition lacks


def _provider_for(data):
    provider = Provider.objects.filter(name=data["name"], website=data["website"]).first()
    return provider or Provider.objects.create(name=data["name"], website=data["website"])


def _snapshot(program):
    (document,) = Program.objects.filter(pk=program.pk).listing_documents(left_out=())
    return program_to_dict(document, include_location_extras=False), document.program[
        "source_notes"
    ]


def _program_write(program, listing, *, fields, term_ids):
    for name in fields:
        setattr(program, name, listing[name])
    program.provider = _provider_for(listing["provider"])
    program.state_id = listing["state"]
    program.full_clean(exclude=["provider", "state", "uuid"])
    program._change_reason = "Imported (IOP Finder JSON)."
    program.save()
    program.terms.set(
        term_ids[(kind, slug)] for kind, slugs in listing["terms"].items() for slug in slugs
    )
    program.virtual_states.set(listing["virtual_states"])
    if listing.get("tracks") is not None:
        program.tracks.all().delete()
        for position, track in enumerate(listing["tracks"]):
            created = Track.objects.create(
                program=program,
                name=track["name"],
                position=position,
                openings=track["openings"],
                next_start=track["next_start"],
                rolling_admission=track["rolling_admission"],
                availability_confirmed=track["availability_confirmed"],
            )
            track_schedule_set(track=created, sessions=track["sessions"])


@transaction.atomic
def programs_import(
    *,
    listings: list[tuple[int, dict | None]],
    source: str = "programs",
    status: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Upsert listings read by a source (see programs.sources): our own format by slug, the
    public directories by their source key.

    `listings` holds (position, listing) pairs; None for a row that is not an IOP. All or
    nothing: the first row that cannot be written raises RowError and nothing is kept.
    `status` is the status of new listings from a public directory (draft by default).
    """
    module = sources.get(source)
    if module is sources.program_json:
        report = _program_json_import(listings, progress=progress)
    else:
        report = _source_import(module, listings, status=status, progress=progress)
    if dry_run:
        transaction.set_rollback(True)
    return report


def _program_json_import(listings, *, progress):
    """Our own format: row by row, by slug, tracks included (files of curated listings)."""
    report = ImportReport()
    term_ids = {(term.kind, term.slug): term.pk for term in Term.objects.all()}
    fields = sources.program_json.OWNED_FIELDS
    for done, (position, listing) in enumerate(listings, start=1):
        if progress:
            progress(done, len(listings))
        program = Program.objects.filter(slug=listing["slug"]).first() or Program()
        before = _snapshot(program) if program.pk else None
        savepoint = transaction.savepoint()
        try:
            _program_write(program, listing, fields=fields, term_ids=term_ids)
        except ValidationError as error:
            transaction.savepoint_rollback(savepoint)
            messages = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in error.message_dict.items()
            )
            raise RowError(position, messages)
        except IntegrityError as error:
            transaction.savepoint_rollback(savepoint)
            raise RowError(position, f"the database refused it ({error}).")
        if before is None:
            report.created.append(program.slug)
        elif _snapshot(program) == before:
            transaction.savepoint_rollback(savepoint)  # leaves `updated` as it was
            report.unchanged.append(program.slug)
        else:
            report.updated.append(program.slug)
        transaction.savepoint_commit(savepoint)
    return report


def _kept_by_curators(imported, previous, current):
    """What a re-import writes for a set of values: the new import's, less what curators or
    programs removed since the last import, plus what they added. `previous` is None for
    listings imported before imports remembered their values: then nothing counts as removed."""
    if previous is None:
        return list(dict.fromkeys([*imported, *current]))
    removed, added = set(previous) - set(current), set(current) - set(previous)
    kept = [value for value in imported if value not in removed]
    return list(dict.fromkeys([*kept, *sorted(added)]))


def _listing_merged_with(program, listing, module):
    """The listing as a re-import writes it over `program`: what curators and programs changed
    stays (terms and telehealth states they added or removed since the last import, a format
    they set, a point geocoded at the same address). What the import brought is remembered in
    `source_notes` for the next one."""
    imported_terms = {
        kind: list(listing["terms"].get(kind, [])) for kind in module.OWNED_TERM_KINDS
    }
    listing = {**listing, "terms": {kind: list(slugs) for kind, slugs in listing["terms"].items()}}
    listing["source_notes"] = {
        **listing["source_notes"],
        "mapped_terms": imported_terms,
        "mapped_states": list(listing["virtual_states"]),
        "mapped_format": listing["format"],
    }
    if program is None:
        return listing
    notes = program.source_notes or {}
    previous_terms = notes.get("mapped_terms")
    for kind in module.OWNED_TERM_KINDS:
        current = [term.slug for term in program.terms.all() if term.kind == kind]
        previous = None if previous_terms is None else previous_terms.get(kind, [])
        listing["terms"][kind] = _kept_by_curators(imported_terms[kind], previous, current)
    listing["virtual_states"] = sorted(
        _kept_by_curators(
            listing["virtual_states"],
            notes.get("mapped_states"),
            [state.code for state in program.virtual_states.all()],
        )
    )
    previous_format = notes.get("mapped_format")
    curator_set_format = (
        program.format != previous_format
        if previous_format is not None
        else program.format != Program.Format.IN_PERSON
    )
    if curator_set_format:
        listing["format"] = program.format
    geocoded_here = (
        program.location_precision == Program.LocationPrecision.ADDRESS
        and listing["location_precision"] == Program.LocationPrecision.ZIP
        and (program.street, program.zip) == (listing["street"], listing["zip"])
    )
    if geocoded_here:
        for name in ("latitude", "longitude", "location_precision"):
            listing[name] = getattr(program, name)
    return listing


def _provider_key(listing):
    """Who runs a listing, as far as a public directory tells: the organization's name in one
    city. 'Veterans Affairs Medical Center' in ten states is ten providers, so that staff a
    curator invites for one of them see its listings, not the others'."""
    return (listing["provider"]["name"], listing["city"].lower(), listing["state"])


def _providers_by_place(listings):
    """The providers already running programs under the listings' names, by `_provider_key`."""
    names = {listing["provider"]["name"] for _, listing in listings if listing}
    rows = (
        Program.objects.filter(provider__name__in=names)
        .order_by("provider_id")
        .values_list("provider_id", "provider__name", "city", "state_id")
    )
    ids = {}
    for provider_id, name, city, state in rows:
        ids.setdefault((name, city.lower(), state), provider_id)
    by_id = Provider.objects.in_bulk(set(ids.values()))
    return {key: by_id[provider_id] for key, provider_id in ids.items()}


def _source_import(module, listings, *, status, progress):
    """A public directory's listings, in bulk: a few statements for thousands of rows, and
    none at all when nothing changed."""
    report = ImportReport()
    term_ids = {(term.kind, term.slug): term.pk for term in Term.objects.all()}
    existing = {
        program.source_key: program
        for program in Program.objects.filter(source=module.SLUG)
        .select_related("provider")
        .prefetch_related("terms", "virtual_states")
    }
    providers = _providers_by_place(listings)
    taken_slugs = set(Program.objects.values_list("slug", flat=True))
    owned_kinds = set(module.OWNED_TERM_KINDS)
    new, changed, term_rows, state_rows, seen = [], {}, {}, {}, set()
    for done, (position, listing) in enumerate(listings, start=1):
        if progress:
            progress(done, len(listings))
        if listing is None:
            report.skipped.append(f"row {position}")
            continue
        key = module.key(listing)
        seen.add(key)
        program = existing.get(key)
        listing = _listing_merged_with(program, listing, module)
        provider_key = _provider_key(listing)
        if provider_key not in providers:
            providers[provider_key] = Provider(**listing["provider"])
        provider = providers[provider_key]
        wanted_terms = {
            term_ids[(kind, slug)] for kind, slugs in listing["terms"].items() for slug in slugs
        }
        if program is None:
            slug = listing["slug"]
            for number in itertools.count(2):
                if slug not in taken_slugs:
                    break
                slug = f"{listing['slug'][:110]}-{number}"
            taken_slugs.add(slug)
            program = Program(
                slug=slug,
                status=status or Program.Status.DRAFT,
                source=module.SLUG,
                source_key=key,
                state_id=listing["state"],
                **{name: listing[name] for name in module.OWNED_FIELDS},
            )
            program.provider_id_pending = provider
            new.append(program)
            term_rows[key] = wanted_terms
            state_rows[key] = set(listing["virtual_states"])
            report.created.append(slug)
            continue
        fields = [name for name in module.OWNED_FIELDS if getattr(program, name) != listing[name]]
        for name in fields:
            setattr(program, name, listing[name])
        if program.state_id != listing["state"]:
            program.state_id = listing["state"]
            fields.append("state")
        # A curator may have given the provider a website: the same name is the same provider.
        if program.provider.name != listing["provider"]["name"]:
            program.provider_id_pending = provider
            fields.append("provider")
        if program.source_missing:
            program.source_missing = ""
            fields.append("source_missing")
        current_terms = {term.pk for term in program.terms.all()}
        own_current = {term.pk for term in program.terms.all() if term.kind in owned_kinds}
        kept = current_terms - own_current
        if wanted_terms | kept != current_terms:
            term_rows[key] = wanted_terms | kept
        if set(listing["virtual_states"]) != {s.code for s in program.virtual_states.all()}:
            state_rows[key] = set(listing["virtual_states"])
        if fields or key in term_rows or key in state_rows:
            changed[key] = (program, fields)
            report.updated.append(program.slug)
        else:
            report.unchanged.append(program.slug)

    edition = next((listing["source_edition"] for _, listing in listings if listing), "")
    if module.EDITION_COMPLETE and edition:
        for key, program in existing.items():
            if key not in seen and program.source_missing != edition:
                program.source_missing = edition
                changed.setdefault(key, (program, []))[1].append("source_missing")
                report.missing.append(program.slug)

    reason = f"Imported from {sources.source_label(module.SLUG, edition) or module.SLUG}."
    _source_listings_write(new, changed, term_rows, state_rows, providers, reason=reason)
    return report


def _source_listings_write(new, changed, term_rows, state_rows, providers, *, reason):
    """Write what `_source_import` decided, a few statements per table, with one history
    record a listing written (`reason` says which import)."""
    Provider.objects.bulk_create(p for p in providers.values() if p.pk is None)
    for program in [*new, *(program for program, _ in changed.values())]:
        pending = getattr(program, "provider_id_pending", None)
        if pending is not None:
            program.provider = pending
    try:
        bulk_create_with_history(new, Program, batch_size=1000, default_change_reason=reason)
        now = timezone.now()
        by_fields = {}
        for program, fields in changed.values():
            program.updated = now
            by_fields.setdefault((*sorted(set(fields)), "updated"), []).append(program)
        for fields, programs in by_fields.items():
            bulk_update_with_history(
                programs, Program, list(fields), batch_size=1000, default_change_reason=reason
            )
    except IntegrityError as error:
        raise RowError(0, f"the database refused a listing ({error}).")
    programs = {program.source_key: program for program in new} | {
        key: program for key, (program, _) in changed.items()
    }
    terms_through = Program.terms.through
    states_through = Program.virtual_states.through
    # New listings have no rows yet; changed ones lose theirs and get the wanted set.
    terms_through.objects.filter(
        program__in=[programs[key].pk for key in term_rows if key in changed]
    ).delete()
    states_through.objects.filter(
        program__in=[programs[key].pk for key in state_rows if key in changed]
    ).delete()
    rows_insert(
        terms_through,
        ["program", "term"],
        ((programs[key].pk, term) for key, terms in term_rows.items() for term in sorted(terms)),
    )
    rows_insert(
        states_through,
        ["program", "state"],
        ((programs[key].pk, s) for key, states in state_rows.items() for s in sorted(states)),
    )
    program_history_terms_record([program.pk for program in programs.values()])


def programs_export(*, status=Program.Status.PUBLISHED) -> list[dict]:
    """The directory as the JSON list `programs_import` reads, in slug order."""
    programs = Program.objects.order_by("slug")
    if status != "all":
        programs = programs.filter(status=status)
    return [
        program_to_dict(document, include_location_extras=False, export=True)
        for document in programs.listing_documents()
    ]
