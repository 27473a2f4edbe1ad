"""Weekly schedules: the week's days, and session time ranges as people write them
("18:00-21:00"). A session's minutes are computed by the database (expressions.SessionMinutes),
a track's weekly summary by its triggers (migration 0007)."""

import datetime
import itertools
import re

# The week, Monday first: Session.day 0-6 and the contract's slugs (`days=mon`, `free=mon-fri`).
WEEKDAY_SLUGS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# The last second of a day: every session ends by it, and a whole free day ends there.
END_OF_DAY = datetime.time(23, 59, 59)

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
