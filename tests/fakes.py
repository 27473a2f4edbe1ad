"""Stand-ins for what tests must never reach: a geopy geocoder that answers from a dict."""

from geopy.exc import GeocoderUnavailable
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point


class FakeGeocoder(Geocoder):
    """A geopy geocoder answering from `FakeGeocoder.answers` ({query: (lat, lng)}) offline,
    and counting what it was asked."""

    answers: dict = {}
    asked: list = []
    down: bool = False  # raise as an unreachable service does

    def __init__(self, user_agent=None, **kwargs):
        super().__init__(user_agent=user_agent or "tests")

    def geocode(self, query, **kwargs):
        type(self).asked.append(query)
        if self.down:
            raise GeocoderUnavailable("the service is down")
        point = self.answers.get(query)
        return Location(query, Point(*point), {}) if point else None
