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

_TIME = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|a|p)?"
_TIME_RANGE = re.compile(rf"^\s*{_TIME}\s*(?:[-–]|to)\s*{_TIME}\s*$", re.IGNORECASE)


class ScheduleError(ValueError):
    """A session's times cannot be understood or do not make sense."""


def _hour(hour, meridiem):
    """A clock's hour on the 24-hour clock: 12 am is 0, 1 pm is 13; ValueError past 12."""
    if not meridiem:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(hour)
    return hour % 12 + (12 if meridiem.lower().startswith("p") else 0)


def time_ranges_parse(text):
    """Parse "18:00-21:00, 9:30-12" into [(time(18), time(21)), (time(9, 30), time(12))].

    Times are 24-hour, or on the 12-hour clock as people write them: "5:30pm-8:30pm",
    "9am-12pm", "5:30-8:30 pm" (the start then takes the end's half of the day when it can).
    Each range must end after it starts, and ranges may not overlap.
    """
    ranges = []
    for part in filter(None, (chunk.strip() for chunk in (text or "").split(","))):
        match = _TIME_RANGE.match(part)
        if not match:
            raise ScheduleError(f"“{part}” is not a time range like 18:00-21:00.")
        start_hour, start_minute, start_meridiem = int(match[1]), int(match[2] or 0), match[3]
        end_hour, end_minute, end_meridiem = int(match[4]), int(match[5] or 0), match[6]
        try:
            end = datetime.time(_hour(end_hour, end_meridiem), end_minute)
            if start_meridiem or not end_meridiem:
                start = datetime.time(_hour(start_hour, start_meridiem), start_minute)
            else:
                # "5:30-8:30 pm" is 17:30-20:30; "11-1 pm" is 11:00-13:00.
                start = datetime.time(_hour(start_hour, end_meridiem), start_minute)
                if start >= end and 1 <= start_hour <= 12:
                    start = datetime.time(_hour(start_hour, "am"), start_minute)
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
