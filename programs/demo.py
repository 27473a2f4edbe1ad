"""Made-up but plausible demo listings, generated deterministically from a seed.

Every demo program is labelled (`is_demo`, a "Demo listing" badge, a description that says so),
uses fictional 555-01xx phone numbers and example.org websites, and sits at a real ZIP centroid.
"""

import datetime
import random

from django.utils.text import slugify

from .geo import gazetteer
from .vocabularies import LANGUAGES, PAYMENTS, POPULATIONS, STEP_DOWN_LEVELS, THERAPIES

PLACE_WORDS = [
    "Blue Ridge", "Harbor", "Cedar", "Riverside", "Summit", "Lakeview", "Prairie", "Pinecrest",
    "Northstar", "Bayview", "Meadowbrook", "Valley", "Canyon", "Willow", "Evergreen", "Gateway",
    "Horizon", "Keystone", "Magnolia", "Redwood", "Sunrise", "Clearwater", "Oak Hill", "Bridgeway",
]  # fmt: skip
PROVIDER_KINDS = [
    "Behavioral Health", "Recovery Center", "Counseling Services", "Community Services Board",
    "Health System", "Wellness Center", "Treatment Services", "Psychiatric Associates",
]  # fmt: skip
PROGRAM_NAMES = [
    "Adult Intensive Outpatient", "Evening IOP", "Co-Occurring IOP", "Substance Use IOP",
    "Mental Health IOP", "Recovery IOP", "Adolescent IOP", "Women's IOP", "DBT IOP",
    "Step-Down IOP", "Virtual IOP", "Young Adult IOP",
]  # fmt: skip
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Park Ave", "Church St", "Market St", "Elm St",
           "Washington Ave", "Lincoln Rd", "Preston Ave", "Hospital Dr"]  # fmt: skip

# (track name, [(days, start hour, start minute, end hour, end minute)]): all 9-15 h/week.
TRACK_TEMPLATES = [
    ("Morning", [((0, 2, 4), 9, 0, 12, 0)]),
    ("Evening", [((0, 1, 3), 18, 0, 21, 0)]),
    ("Day", [((0, 1, 2, 3), 9, 0, 12, 0)]),
    ("Evening", [((0, 1, 2, 3), 17, 30, 20, 30)]),
    ("Afternoon", [((1, 3), 13, 0, 16, 0), ((5,), 10, 0, 13, 0)]),
    ("Weekend", [((5, 6), 9, 0, 13, 0), ((2,), 18, 0, 21, 0)]),
    ("Intensive day", [((0, 1, 2, 3, 4), 9, 0, 12, 0)]),
    ("Morning", [((1, 3), 9, 30, 12, 30), ((4,), 9, 0, 12, 0)]),
    ("Evening", [((0, 2), 18, 0, 21, 0), ((5,), 9, 0, 12, 0)]),
]


def _pick(rng, population, low, high):
    return rng.sample(population, rng.randint(low, high))


def demo_listings(count, seed, today):
    """Yield `count` demo listings as plain dicts (the shape `programs_bulk_create` takes)."""
    rng = random.Random(seed)
    # Street ZIP codes only: demo programs are not placed at post office boxes.
    places = gazetteer()
    zips = [
        entry
        for key, entries in places.by_city.items()
        if key not in places.post_office_towns
        for entry in entries
    ]
    therapy_slugs = [slug for slug, _ in THERAPIES]
    payment_slugs = [slug for slug, _ in PAYMENTS]
    population_slugs = [slug for slug, _ in POPULATIONS]
    language_slugs = [slug for slug, _ in LANGUAGES if slug != "en"]
    step_down_slugs = [slug for slug, _ in STEP_DOWN_LEVELS]
    states = sorted({entry.state for entry in zips})

    provider = None
    for index in range(count):
        if provider is None or rng.random() < 0.4:
            provider = {
                "name": f"{rng.choice(PLACE_WORDS)} {rng.choice(PROVIDER_KINDS)} (demo)",
                "website": f"https://example.org/demo/provider-{seed}-{index}",
            }
        place = rng.choice(zips)
        program_name = rng.choice(PROGRAM_NAMES)
        need = rng.random()
        substance, mental = need < 0.75, need > 0.35
        fmt = rng.choices(["in-person", "hybrid", "virtual"], weights=[70, 20, 10])[0]
        ages = rng.choices(
            [(18, None), (13, 17), (18, 25), (55, None), (16, None)], weights=[70, 12, 8, 5, 5]
        )[0]
        availability = rng.choices(["open", "waitlist", "full"], weights=[60, 30, 10])[0]
        area = f"{rng.randint(201, 989)}"
        tracks = []
        for name, blocks in _pick(rng, TRACK_TEMPLATES, 1, 3):
            same_name = sum(track["name"].startswith(name) for track in tracks)
            if same_name:
                name = f"{name} {same_name + 1}"
            sessions = [
                (day, datetime.time(sh, sm), datetime.time(eh, em))
                for days, sh, sm, eh, em in blocks
                for day in days
            ]
            tracks.append({"name": name, "sessions": sessions})
        yield {
            "provider": provider,
            "name": program_name,
            "slug": f"demo-{seed}-{index}-{slugify(program_name)}",
            "description": (
                f"Demo listing: a made-up program for trying IOP Finder, not a real service. "
                f"{program_name} in {place.city}, {place.state}."
            ),
            "street": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
            "city": place.city,
            "state": place.state,
            "zip": place.zip,
            "latitude": place.lat,
            "longitude": place.lng,
            "location_precision": "zip",
            "time_zone": place.time_zone,
            "phone": f"{area}-555-01{rng.randint(0, 99):02d}",
            "intake_phone": f"{area}-555-01{rng.randint(0, 99):02d}" if rng.random() < 0.6 else "",
            "website": f"https://example.org/demo/program-{seed}-{index}",
            "treats_substance_use": substance,
            "treats_mental_health": mental,
            "co_occurring": substance and mental and rng.random() < 0.7,
            "format": fmt,
            "virtual_states": sorted({place.state, *_pick(rng, states, 0, 2)})
            if fmt != "in-person"
            else [],
            "min_age": ages[0],
            "max_age": ages[1],
            "availability": availability,
            "waitlist_weeks": rng.randint(1, 6) if availability == "waitlist" else None,
            "terms": {
                "therapy": _pick(rng, therapy_slugs, 2, 7),
                "payment": _pick(rng, payment_slugs, 1, 5),
                "population": _pick(rng, population_slugs, 0, 2),
                "language": ["en", *_pick(rng, language_slugs, 0, 2)],
                "step_down": _pick(rng, step_down_slugs, 0, 3),
            },
            "tracks": tracks,
            "last_verified": today - datetime.timedelta(days=rng.randint(0, 240)),
            "verified_by_role": "curator",
        }
