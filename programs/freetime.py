"""The hours a person is free (`free=mon-fri@17:00-22:00`), parsed into windows a track's
sessions must fit: days (comma lists and ranges, `sat-mon` wraps the week) with an optional
`@HH:MM-HH:MM` window (none: the whole day)."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .models import WEEKDAY_SLUGS
from .schedule import END_OF_DAY

MAX_WINDOWS = 14  # two a day: more than a week of free time can hold
_ENTRY = re.compile(r"^(?P<days>[a-z,\-]+)(?:@(?P<start>\d\d:\d\d)-(?P<end>\d\d:\d\d))?$")

# What the form offers under "When can you attend?" (one `free` value each; `;` joins windows),
# labels translated where the form shows them.
PRESETS = [
    ("mon-fri@17:00-23:59;sat-sun", gettext_noop("Weekday evenings and weekends")),
    ("mon-fri@06:00-12:00", gettext_noop("Weekday mornings")),
    ("mon-fri@08:00-17:00", gettext_noop("Weekdays during the day")),
    ("sat-sun", gettext_noop("Weekends only")),
]


@dataclass(frozen=True)
class FreeWindow:
    """Days of the week (0 = Monday) and the hours free on each of them."""

    days: tuple[int, ...]
    start: datetime.time
    end: datetime.time


def _day(slug, entry):
    if slug not in WEEKDAY_SLUGS:
        raise ValidationError(
            _("“%(entry)s”: days are mon, tue, wed, thu, fri, sat and sun."),
            code="invalid_day",
            params={"entry": entry},
        )
    return WEEKDAY_SLUGS.index(slug)


def _days(text, entry):
    days = []
    for part in filter(None, text.split(",")):
        first, dash, last = part.partition("-")
        start = _day(first, entry)
        if dash and not last:
            _day(last, entry)  # "mon-": a range with no end
        if not last:
            days.append(start)
            continue
        end = _day(last, entry)
        days.extend((start + offset) % 7 for offset in range((end - start) % 7 + 1))
    if not days:
        raise ValidationError(
            _("“%(entry)s” names no day."), code="invalid_day", params={"entry": entry}
        )
    return tuple(sorted(set(days)))


def _time(text, entry):
    try:
        return datetime.time.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("“%(entry)s”: %(time)s is not a time of day (00:00 to 23:59)."),
            code="invalid_time",
            params={"entry": entry, "time": text},
        )


def free_windows_parse(value):
    """The windows of one `free` value; several windows may be joined with `;`."""
    windows = []
    for entry in filter(None, (part.strip().lower() for part in value.split(";"))):
        match = _ENTRY.match(entry)
        if not match:
            raise ValidationError(
                _("“%(entry)s” is not free time like mon-fri@17:00-22:00 or sat-sun."),
                code="invalid_free_time",
                params={"entry": entry},
            )
        days = _days(match["days"], entry)
        if match["start"] is None:
            windows.append(FreeWindow(days, datetime.time(0, 0), END_OF_DAY))
            continue
        start, end = _time(match["start"], entry), _time(match["end"], entry)
        if end <= start:
            raise ValidationError(
                _("“%(entry)s”: the free time must end after it starts."),
                code="free_time_order",
                params={"entry": entry},
            )
        windows.append(FreeWindow(days, start, end))
    return windows
