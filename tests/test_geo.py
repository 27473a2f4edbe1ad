"""Places and distances: exact radius search at every US latitude, checked against geopy."""

import pytest
from geopy.distance import great_circle
from geopy.point import Point

from programs import geo

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

BEARINGS = [0, 45, 90, 135, 180, 225, 270, 315]


def place_ring(center, radius, *, inside=0.1, outside=0.1):
    """Programs at every bearing just inside and just outside `radius` miles of `center`."""
    expected = {}
    for bearing in BEARINGS:
        for label, distance in [("in", radius - inside), ("out", radius + outside)]:
            point = great_circle(miles=distance).destination(Point(*center), bearing)
            lng = (point.longitude + 540) % 360 - 180
            program = ProgramFactory(
                name=f"{label}-{bearing}", latitude=point.latitude, longitude=lng
            )
            expected[program.slug] = (label, great_circle(center, (point.latitude, lng)).miles)
    return expected


def api_search(client, **params):
    response = client.get("/api/programs/", {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    "name,center",
    [
        ("Charlottesville, VA", (38.0266, -78.4805)),
        ("Utqiagvik, AK (71 N)", (71.2906, -156.7886)),
        ("Fairbanks, AK", (64.8378, -147.7164)),
        ("Adak, AK, across the antimeridian", (51.88, -176.64)),
        ("Key West, FL", (24.5551, -81.7800)),
    ],
)
@pytest.mark.parametrize("radius", [5, 25, 200])
def test_radius_search_is_exact_in_every_direction(client, name, center, radius):
    expected = place_ring(center, radius)
    body = api_search(client, near=f"{center[0]},{center[1]}", radius=radius)
    returned = {program["slug"]: program["distance_miles"] for program in body["results"]}
    inside = {slug for slug, (label, _) in expected.items() if label == "in"}
    assert set(returned) == inside, name
    for slug, distance in returned.items():
        assert distance == pytest.approx(expected[slug][1], abs=0.05)
    distances = [program["distance_miles"] for program in body["results"]]
    assert distances == sorted(distances)


def test_distances_agree_with_geopy_great_circle(client):
    center = (38.0266, -78.4805)
    targets = [(38.9, -77.03), (37.54, -77.436), (36.85, -76.29), (39.29, -76.61)]
    for lat, lng in targets:
        ProgramFactory(name=f"{lat}", latitude=lat, longitude=lng)
    body = api_search(client, near="22902", radius=500)
    for program in body["results"]:
        assert program["distance_miles"] == pytest.approx(
            great_circle(center, (program["lat"], program["lng"])).miles, abs=0.05
        )


def test_bounding_box_contains_the_whole_circle_near_the_pole_and_antimeridian():
    for lat, lng, radius in [(71.29, -156.79, 500), (51.88, -176.64, 300), (64.8, 179.9, 50)]:
        q = geo.bounding_box_q(lat, lng, radius)
        for bearing in range(0, 360, 5):
            point = great_circle(miles=radius * 0.999).destination(Point(lat, lng), bearing)
            lng_norm = (point.longitude + 540) % 360 - 180
            assert _q_holds(q, point.latitude, lng_norm), (lat, lng, bearing)


def _q_holds(q, lat, lng):
    """Evaluate a Q made of range lookups on latitude/longitude in Python."""
    values = {"latitude": lat, "longitude": lng}
    results = []
    for child in q.children:
        if isinstance(child, tuple):
            field, op = child[0].split("__")
            results.append(values[field] >= child[1] if op == "gte" else values[field] <= child[1])
        else:
            results.append(_q_holds(child, lat, lng))
    return any(results) if q.connector == "OR" else all(results)


@pytest.mark.parametrize(
    "text,label,state",
    [
        ("22902", "Charlottesville, VA 22902", "VA"),
        ("Charlottesville, VA", "Charlottesville, VA", "VA"),
        ("charlottesville,   virginia", "Charlottesville, VA", "VA"),
        ("ANCHORAGE, AK", "Anchorage, AK", "AK"),
        ("New York, New York", "New York, NY", "NY"),
        ("38.03,-78.48", "38.03, -78.48 (Charlottesville, VA)", "VA"),
        ("22902-1234", "Charlottesville, VA 22902", "VA"),
        ("Charlottesville VA", "Charlottesville, VA", "VA"),
        ("charlottesville va", "Charlottesville, VA", "VA"),
        ("Durham NC 27701", "Durham, NC 27701", "NC"),  # a trailing ZIP wins
        ("raleigh", "Raleigh, NC", "NC"),  # a city alone that one state dwarfs
        ("raleigh north carolina", "Raleigh, NC", "NC"),
        ("St. Louis MO", "Saint Louis, MO", "MO"),
        ("Raleigh,", "Raleigh, NC", "NC"),  # a stray comma
        # Accents as people write them, where the ZIP code data has none
        ("Española, NM", "Espanola, NM", "NM"),
        ("Peñasco, New Mexico", "Penasco, NM", "NM"),
        ("San José CA", "San Jose, CA", "CA"),
        ("Cañon City, CO", "Canon City, CO", "CO"),
        # Hyphens and apostrophes, where the ZIP code data writes spaces or nothing
        ("Winston-Salem, NC", "Winston Salem, NC", "NC"),
        ("Wilkes-Barre PA", "Wilkes Barre, PA", "PA"),
        ("Kailua-Kona, HI", "Kailua Kona, HI", "HI"),
        ("O'Fallon, MO", "O Fallon, MO", "MO"),
        ("O’Fallon, IL", "O Fallon, IL", "IL"),  # the typographer's apostrophe
        ("Coeur d'Alene, Idaho", "Coeur D Alene, ID", "ID"),
        ("Lee's Summit, MO", "Lees Summit, MO", "MO"),
        ("Lees Summit MO", "Lees Summit, MO", "MO"),
        # Without spaces only within a state: Littlerock, California is not Little Rock
        ("Littlerock, CA", "Littlerock, CA", "CA"),
        ("Little Rock", "Little Rock, AR", "AR"),
        # Towns whose mail all goes to post office boxes, with their state or alone
        ("Nome, AK", "Nome, AK", "AK"),
        ("Kotzebue AK", "Kotzebue, AK", "AK"),
        ("Kotzebue", "Kotzebue, AK", "AK"),
        # The country, as a map copies an address
        ("Chicago, IL, USA", "Chicago, IL", "IL"),
        ("Chicago, IL 60601, USA", "Chicago, IL 60601", "IL"),
        ("Salt Lake City, UT, United States", "Salt Lake City, UT", "UT"),
        ("Boise ID U.S.A.", "Boise, ID", "ID"),
    ],
)
def test_place_resolve(text, label, state):
    place = geo.place_resolve(text)
    assert place.label == label
    assert place.state == state
    assert -90 <= place.lat <= 90 and -180 <= place.lng <= 180


@pytest.mark.parametrize(
    "text",
    [
        *[
            "",
            ",",
            "Springfield",
            "Atlantis, VA",
            "12",
            "99999",
            "0,0,0",
            "USA",
            "Chicago, XY, USA",
        ],
        # "New Hampshire" alone is the state's name, not the post-office-only town in Ohio.
        "New Hampshire",
    ],
)
def test_unknown_or_ambiguous_places_are_errors(text):
    with pytest.raises(geo.PlaceError):
        geo.place_resolve(text)


@pytest.mark.parametrize("text", ["nan,nan", "1e2,1e2", "38.03,-78.48,5", "inf, -inf"])
def test_numbers_that_are_no_point_are_called_so(text):
    with pytest.raises(geo.PlaceError) as error:
        geo.place_resolve(text)
    assert error.value.code == "invalid_point"
    assert "is not a point we can place" in str(error.value.validation_error().messages[0])


def test_a_post_office_only_town_is_offered_beside_a_street_town_of_its_name():
    with pytest.raises(geo.PlaceError) as error:
        geo.place_resolve("Nome")
    assert error.value.suggestions == ["Nome, ND", "Nome, AK", "Nome, TX"]


def test_a_city_several_states_have_offers_them_largest_first(client):
    with pytest.raises(geo.PlaceError) as error:
        geo.place_resolve("springfield")
    assert error.value.suggestions[:3] == ["Springfield, MA", "Springfield, IL", "Springfield, MO"]
    response = client.get("/api/programs/", {"near": "springfield", "therapy": "cbt"})
    assert response.status_code == 400
    assert response.json()["suggestions"]["near"][:2] == ["Springfield, MA", "Springfield, IL"]
    assert "near" in response.json()["errors"]
    page = client.get("/programs/", {"near": "springfield", "therapy": "cbt"}).content.decode()
    assert '<a href="/programs/?near=Springfield%2C+IL&amp;therapy=cbt">Springfield, IL</a>' in page


def test_entries_placed_at_zero_zero_are_not_places():
    # APO/FPO military codes sit at 0,0 in the zipcodes data.
    with pytest.raises(geo.PlaceError):
        geo.place_resolve("09001")


def test_every_zip_codes_time_zone_is_one_clocks_can_be_read_in():
    """The ZIP code data gives one ZIP code a town's name for its zone ("Napakiak"): listings
    there would have stored it, and the admin then refused every save of them."""
    import zoneinfo

    zones = {entry.time_zone for entry in geo.gazetteer().by_zip.values()}
    assert zones - zoneinfo.available_timezones() <= {""}
    assert "America/Anchorage" in zones
