"""Demo listings for trying the site and for load tests, written in bulk, and the planner's
statistics after any bulk write."""

from django.db import connection, models, transaction
from django.utils import timezone

from ..models import Correction, Program, Provider, Session, Term, Track, TrackSchedule
from .bulk import rows_insert

DEMO_BATCH = 2000


@transaction.atomic
def demo_programs_seed(*, count: int, seed: int, progress=None) -> int:
    """Replace all demo listings with `count` published demo programs made from `seed`."""
    from ..demo import demo_listings

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


def catalogue_statistics_refresh() -> None:
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


def demo_programs_delete() -> None:
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

    rows_insert(
        Program.terms.through,
        ["program", "term"],
        (
            (program.pk, term_ids[(kind, slug)])
            for program, listing in zip(programs, listings, strict=True)
            for kind, slugs in listing["terms"].items()
            for slug in slugs
        ),
    )
    rows_insert(
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
    rows_insert(
        Session,
        ["track", "day", "start", "end"],
        ((track.pk, day, start, end) for track, sessions in tracks for day, start, end in sessions),
    )
    return len(programs)
