"""SLA clocks: when a response or resolution target runs out, on the calendar or in business hours.

Business time is counted Monday to Friday within the tier's business hours, in the ticket's own
time zone (the offset written with its timestamp); public holidays are not modelled.
"""

from __future__ import annotations

import calendar
import datetime as dt

DEFAULT_BUSINESS_HOURS = (dt.time(9, 0), dt.time(18, 0))


def business_deadline(start: dt.datetime, minutes: int, hours: tuple[dt.time, dt.time] = DEFAULT_BUSINESS_HOURS
                      ) -> dt.datetime:
    """`minutes` of business time after `start`, counted Monday to Friday within `hours`, in
    `start`'s own time zone (a ticket opened on Saturday starts its clock on Monday morning).

    A target that ends exactly at closing time ends that day, not the next morning. Computed by
    whole working days, not day by day: a portfolio's tickets have tens of thousands of deadlines.
    """
    open_at, close_at = hours
    day_open = start.replace(hour=open_at.hour, minute=open_at.minute, second=0, microsecond=0)
    day_close = start.replace(hour=close_at.hour, minute=close_at.minute, second=0, microsecond=0)
    if start.weekday() >= 5 or start >= day_close:
        t = _business_morning(start.date(), 1, open_at, start.tzinfo)
        day_close = t.replace(hour=close_at.hour, minute=close_at.minute)
    else:
        t = max(start, day_open)
    remaining = dt.timedelta(minutes=minutes)
    available = day_close - t
    if remaining <= available:
        return t + remaining
    day = dt.timedelta(hours=close_at.hour - open_at.hour, minutes=close_at.minute - open_at.minute)
    remaining -= available
    # After today: `days` more mornings, the last of them taking what is left (at most a whole day).
    days = -(-remaining // day)
    return _business_morning(t.date(), days, open_at, t.tzinfo) + (remaining - (days - 1) * day)


def _business_morning(day: dt.date, count: int, open_at: dt.time, tz: dt.tzinfo | None) -> dt.datetime:
    """Opening time of the `count`-th working day after `day` (`count` >= 1)."""
    weeks, rest = divmod(count - 1, 5)
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    day += dt.timedelta(weeks=weeks)
    for _ in range(rest):
        day += dt.timedelta(days=3 if day.weekday() == 4 else 1)
    return dt.datetime.combine(day, open_at, tz)


def deadline(start: dt.datetime, duration: str, minutes: int, clock: str,
             hours: tuple[dt.time, dt.time] = DEFAULT_BUSINESS_HOURS) -> dt.datetime:
    """When a target of `duration` (e.g. `4h`, `2d`; `minutes` is its calendar length) runs out.

    On the business clock a day is a working day (`2d` opened Monday 10:00 is due Wednesday 10:00),
    hours and minutes are working minutes.
    """
    if clock != "business":
        return start + dt.timedelta(minutes=minutes)
    if duration.endswith("d") and not duration.endswith("min"):
        open_at, close_at = hours
        day = (close_at.hour * 60 + close_at.minute) - (open_at.hour * 60 + open_at.minute)
        return business_deadline(start, int(duration[:-1]) * day, hours)
    return business_deadline(start, minutes, hours)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved `months` calendar months on, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_of_day(day: dt.date, tz: dt.tzinfo | None) -> dt.datetime:
    """Midnight starting `day` in the zone `tz`: "as of the build date" for a ticket in that zone."""
    return dt.datetime.combine(day, dt.time(0, 0), tz)
