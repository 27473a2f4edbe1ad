"""Writes to the catalogue. Every multi-step change goes through one of these functions."""

import datetime
import itertools
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import sources
from .models import Correction, Program, Provider, Session, Term, Track, TrackSchedule
from .serializers import program_to_dict

_TIME_RANGE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*$")


class ScheduleError(ValueError):
    """A session's times cannot be understood or do not make sense."""


def time_ranges_parse(text):
    """Parse "18:00-21:00, 9:30-12" into [(time(18), time(21)), (time(9, 30), time(12))].

    Times are 24-hour. Each range must end after it starts, and ranges may not overlap.
    """
    ranges = []
    for part in filter(None, (chunk.strip() for chunk in (text or "").split(","))):
        match = _TIME_RANGE.match(part)
        if not match:
            raise ScheduleError(f"“{part}” is not a time range like 18:00-21:00.")
        try:
            start = datetime.time(int(match[1]), int(match[2] or 0))
            end = datetime.time(int(match[3]), int(match[4] or 0))
        except ValueError:
            raise ScheduleError(f"“{part}” has a time that does not exist (use 00:00 to 23:59).")
        if end <= start:
            raise ScheduleError(f"In “{part}” the session must end after it starts.")
        ranges.append((start, end))
    ranges.sort()
    for (_, previous_end), (start, _) in itertools.pairwise(ranges):
        if start < previous_end:
            raise ScheduleError("Two sessions on the same day overlap.")
    return ranges


def time_ranges_format(ranges):
    """The inverse of time_ranges_parse: "18:00-21:00, 09:30-12:00"."""
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in ranges)


@transaction.atomic
def track_schedule_set(
    *, track: Track, sessions: list[tuple[int, datetime.time, datetime.time]], user=None
):
    """Replace a track's weekly sessions with `sessions` (day 0 = Monday, start, end)."""
    track.sessions.all().delete()
    bulk_create_with_history(
        [Session(track=track, day=day, start=start, end=end) for day, start, end in sessions],
        Session,
        default_user=user,
    )
    # Cached searches are keyed by the last change of any program.
    Program.objects.filter(pk=track.program_id).update(updated=timezone.now())


def program_version(program) -> str:
    """What a form remembers of the listing it loaded, to notice a change saved since (any
    write to a listing moves its `updated`)."""
    return program.updated.isoformat() if program.updated else ""


def _programs_update(*, programs, user=None, reason="", **fields):
    """Set `fields` on every program, with one history record each (who and why)."""
    programs = list(programs)
    fields["updated"] = timezone.now()
    for program in programs:
        for name, value in fields.items():
            setattr(program, name, value)
    if programs:
        bulk_update_with_history(
            programs, Program, list(fields), default_user=user, default_change_reason=reason
        )
    return programs


@transaction.atomic
def programs_publish(*, programs, user=None) -> list[Program]:
    """Make listings visible to the public."""
    return _programs_update(
        programs=programs, user=user, reason="Published.", status=Program.Status.PUBLISHED
    )


@transaction.atomic
def programs_archive(*, programs, user=None) -> list[Program]:
    """Withdraw listings from the public without deleting them."""
    return _programs_update(
        programs=programs, user=user, reason="Archived.", status=Program.Status.ARCHIVED
    )


@transaction.atomic
def programs_verify(*, programs, user) -> list[Program]:
    """Record that `user` checked the listings today."""
    return _programs_update(
        programs=programs,
        user=user,
        reason="Verified by a curator.",
        last_verified=timezone.localdate(),
        verified_by=user,
        verified_by_role=Program.VerifiedBy.CURATOR,
    )


@transaction.atomic
def program_verify_by_provider(*, program: Program, user) -> Program:
    """Record that the program itself (`user`, one of its staff) confirmed the whole listing
    today: "Everything here is still accurate"."""
    (program,) = _programs_update(
        programs=[program],
        user=user,
        reason="Confirmed still accurate by the program.",
        last_verified=timezone.localdate(),
        verified_by=user,
        verified_by_role=Program.VerifiedBy.PROVIDER,
    )
    return program


@transaction.atomic
def track_availability_set(
    *,
    track: Track,
    openings: int | None,
    next_start: datetime.date | None,
    rolling_admission: bool,
    user=None,
) -> Track:
    """State a track's openings, next start and rolling admission, confirmed today."""
    track.openings = openings
    track.next_start = next_start
    track.rolling_admission = rolling_admission
    track.availability_confirmed = timezone.localdate()
    track._history_user = user
    track.save()
    # Cached searches are keyed by the last change of any program.
    Program.objects.filter(pk=track.program_id).update(updated=timezone.now())
    return track


def correction_create(*, program: Program, message: str, contact: str = "") -> Correction:
    """Store a report from the public for curators; it never changes the listing itself."""
    return Correction.objects.create(program=program, message=message, contact=contact)


@transaction.atomic
def corrections_resolve(*, corrections, user) -> int:
    """Mark corrections handled by `user`."""
    return Correction.objects.filter(pk__in=[c.pk for c in corrections]).update(
        status=Correction.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=user
    )


DEMO_BATCH = 2000


@transaction.atomic
def demo_programs_seed(*, count: int, seed: int, progress=None) -> int:
    """Replace all demo listings with `count` published demo programs made from `seed`."""
    from .demo import demo_listings

    demo_programs_delete()
    listings = demo_listings(count, seed, timezone.localdate())
    created = 0
    batch = []
    for listing in listings:
        batch.append(listing)
        if len(batch) == DEMO_BATCH:
            created += _listings_bulk_create(batch, status=Program.Status.PUBLISHED, is_demo=True)
            batch = []
            if progress:
                progress(created, count)
    if batch:
        created += _listings_bulk_create(batch, status=Program.Status.PUBLISHED, is_demo=True)
    return created


def catalogue_statistics_refresh():
    """Bring the query planner's statistics (and PostgreSQL's visibility map) up to date.

    After a bulk write the planner would otherwise plan search with stale row counts until
    autovacuum comes by, and index-only scans would still read the table. VACUUM cannot run
    inside a transaction; there (as in tests) only the statistics are refreshed.
    """
    tables = [
        model._meta.db_table
        for model in (
            Program,
            Program.terms.through,
            Program.virtual_states.through,
            Track,
            Session,
            TrackSchedule,
        )
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} {quoted}")
        else:
            cursor.execute("ANALYZE")


def demo_programs_delete():
    """Remove every demo listing and demo provider (real listings are never touched)."""
    demo = Program.objects.filter(is_demo=True)
    # Raw deletes: made-up listings need no history, and the history's signal handlers would
    # otherwise make Django load and delete a hundred thousand rows one by one.
    handled = {Track, Correction, Program.terms.through, Program.virtual_states.through}
    for relation in Program._meta.related_objects:  # what other apps keep about a listing
        if relation.related_model not in handled and relation.on_delete is models.CASCADE:
            relation.related_model.objects.filter(**{f"{relation.field.name}__in": demo}).delete()
    for queryset in (
        Session.objects.filter(track__program__in=demo),
        Track.objects.filter(program__in=demo),
        Program.terms.through.objects.filter(program__in=demo),
        Program.virtual_states.through.objects.filter(program__in=demo),
        Correction.objects.filter(program__in=demo),
        demo,
    ):
        queryset._raw_delete(queryset.db)
    Provider.objects.filter(is_demo=True, programs__isnull=True).delete()


def _listings_bulk_create(listings, *, status, is_demo):
    """Insert listings (dicts from programs.demo) with few statements per batch."""
    term_ids = {(term.kind, term.slug): term.pk for term in Term.objects.all()}
    providers = {}
    for listing in listings:
        key = id(listing["provider"])
        if key not in providers:
            providers[key] = Provider(is_demo=is_demo, **listing["provider"])
    Provider.objects.bulk_create(providers.values())

    programs = [
        Program(
            provider=providers[id(listing["provider"])],
            status=status,
            is_demo=is_demo,
            state_id=listing["state"],
            **{
                field: listing[field]
                for field in listing
                if field not in {"provider", "state", "virtual_states", "terms", "tracks"}
            },
        )
        for listing in listings
    ]
    Program.objects.bulk_create(programs)

    _rows_insert(
        Program.terms.through,
        ["program", "term"],
        (
            (program.pk, term_ids[(kind, slug)])
            for program, listing in zip(programs, listings, strict=True)
            for kind, slugs in listing["terms"].items()
            for slug in slugs
        ),
    )
    _rows_insert(
        Program.virtual_states.through,
        ["program", "state"],
        (
            (program.pk, state)
            for program, listing in zip(programs, listings, strict=True)
            for state in listing["virtual_states"]
        ),
    )
    tracks = [
        (Track(program=program, name=track["name"], position=position), track["sessions"])
        for program, listing in zip(programs, listings, strict=True)
        for position, track in enumerate(listing["tracks"])
    ]
    Track.objects.bulk_create(track for track, _ in tracks)
    _rows_insert(
        Session,
        ["track", "day", "start", "end"],
        ((track.pk, day, start, end) for track, sessions in tracks for day, start, end in sessions),
    )
    return len(programs)


def _rows_insert(model, field_names, rows):
    """Insert plain rows fast: COPY on PostgreSQL, executemany elsewhere.

    For the many small rows of bulk seeding (about ten per program), where building a model
    instance for each would cost more than writing it.
    """
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        prepared = [
            [
                field.get_db_prep_save(value, connection)
                for field, value in zip(fields, row, strict=True)
            ]
            for row in rows
        ]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)


# Import and export


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), by slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows that are not IOPs
    merged: list[str] = field(default_factory=list)  # rows that repeat an earlier row
    missing: list[str] = field(default_factory=list)  # listings the new edition lacks


class ImportRowError(Exception):
    """A row could not be written; nothing of the import is kept."""

    def __init__(self, position, message):
        self.position = position
        super().__init__(f"row {position}: {message}")


def _provider_for(data):
    provider = Provider.objects.filter(name=data["name"], website=data["website"]).first()
    return provider or Provider.objects.create(name=data["name"], website=data["website"])


def _snapshot(program):
    program = Program.objects.for_listing().get(pk=program.pk)
    return program_to_dict(program, include_location_extras=False), program.source_notes


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
    *, listings, source="programs", status=None, dry_run=False, progress=None
) -> ImportReport:
    """Upsert listings read by a source (see programs.sources): our own format by slug, the
    public directories by their source key.

    `listings` holds (position, listing) pairs; None for a row that is not an IOP. All or
    nothing: the first row that cannot be written raises ImportRowError and nothing is kept.
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
            raise ImportRowError(position, messages)
        except IntegrityError as error:
            transaction.savepoint_rollback(savepoint)
            raise ImportRowError(position, f"the database refused it ({error}).")
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
        raise ImportRowError(0, f"the database refused a listing ({error}).")
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
    _rows_insert(
        terms_through,
        ["program", "term"],
        ((programs[key].pk, term) for key, terms in term_rows.items() for term in sorted(terms)),
    )
    _rows_insert(
        states_through,
        ["program", "state"],
        ((programs[key].pk, s) for key, states in state_rows.items() for s in sorted(states)),
    )


def programs_export(*, status="published") -> list[dict]:
    """The directory as the JSON list `programs_import` reads, in slug order."""
    programs = Program.objects.for_listing().order_by("slug")
    if status != "all":
        programs = programs.filter(status=status)
    return [program_to_dict(program, include_location_extras=False) for program in programs]
