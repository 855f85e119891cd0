"""Reading an article's publication date/time from whatever an input record holds.

:func:`parse_published` tries, in order, and the first reading wins:

1. the caller's ``strptime`` format (``--date-format``), when one is given;
2. a ``datetime`` or ``date`` (Parquet timestamps), as it is;
3. epoch seconds: a number, or a string holding only one;
4. ISO 8601 (``datetime.fromisoformat``, the fast path most feeds take);
5. the Reuters archive form ``26-FEB-1987 15:01:01.79`` (whatever follows its time is
   junk) and RFC 2822's ``Sat, 05 Aug 2023 10:00:00 +0200`` (regular expressions, fast);
6. python-dateutil, not fuzzy: day/month-name forms (``5 August 2023``,
   ``August 5, 2023 10:30``, ``05-Aug-2023``) and the rest of RFC 2822.

Text from the first control character on is dropped first: archives append junk such
as ``\\x05\\x05\\x05F`` to their dates.  A value none of these reads raises
:class:`UnreadableDate` saying why; so does a reading that only looks like a date.
dateutil fills whatever a text lacks from today's date (``"12"`` would become the
12th of this month, ``"Tuesday"`` next Tuesday), so a text must give the year, the
month and the day itself; ``05/08/2023``, which reads as 5 August or as 8 May, is
refused rather than guessed; a bare number under :data:`MIN_EPOCH` is not taken as
epoch seconds (it is far more often a year, a count or a day number); years outside
:data:`YEARS` are refused (``0001-01-01`` and ``9999-12-31`` are "no date" markers,
and either would win "earliest published").  Values with a zone stay aware, values
without stay naive.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Any

MIN_EPOCH = 100_000_000  # seconds: 1973-03-03; smaller bare numbers are not dates
YEARS = (1000, 2999)  # the years a publication date may fall in
MAX_CHARS = 100  # longer text is not a date (and would only slow the parsers down)

# Everything from the first C0/C1 control character on is archive junk, not date.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
# Day, month name, year: Reuters' 26-FEB-1987 15:01:01.79 and RFC 2822's
# Sat, 05 Aug 2023 10:00:00 +0200, the two forms big archives and feeds hold.
_DAY_MONTH_YEAR = re.compile(r"(?:[A-Za-z]{3},?\s+)?(\d{1,2})([- ])([A-Za-z]{3})\2(\d{4})"
                             r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
                             r"(?:\s+([+-]\d{4}|[A-Za-z]{1,4}))?)?")
# The Reuters form with its full time down to hundredths: what follows is archive
# junk ("&#5;&#5;&#5;T C", or "T C" once a converter dropped the control characters);
# the date and time before it are complete, so dropping it invents nothing.
_REUTERS = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})\.(\d{1,6})"
                      r"(?:\D.*)?", re.S)
_MONTHS = {m: k for k, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul",
                                       "aug", "sep", "oct", "nov", "dec"), 1)}
_YEAR_FIRST = re.compile(r"\d{4}\D")
_MONTH_NAME = re.compile(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")
# Zone names with one meaning in news: RFC 2822's North American ones and Europe's.
# Any other name is ignored (the value stays naive) rather than guessed.
_ZONE_HOURS = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1,
               "CEST": 2, "EET": 2, "EEST": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
               "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}
# Two defaults that differ in every date part: a part the text lacks comes out differently.
_DEFAULT_A = datetime(1, 1, 1)
_DEFAULT_B = datetime(2, 2, 2)
_SAMPLE = datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=timezone.utc)


class UnreadableDate(ValueError):
    """Why a value cannot be read as a publication date (the message says why)."""


def parse_published(value: Any, date_format: str | None = None) -> datetime | None:
    """The publication time ``value`` holds; None when it holds none (null, empty).

    Raises :class:`UnreadableDate` when a value is there but is not a date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return _in_range(value)
    if isinstance(value, date):
        return _in_range(datetime(value.year, value.month, value.day))
    if isinstance(value, float) and math.isnan(value):
        return None  # pandas' marker for a missing value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if date_format and isinstance(value, int):  # e.g. 20230805 with %Y%m%d
            found = _with_format(str(value), date_format)
            if found is not None:
                return found
        return _epoch(value)
    if not isinstance(value, str):
        raise UnreadableDate(f"{_kind(value)}, not a date")
    text = clean(value)
    if not text:
        raise UnreadableDate("control characters, no date")
    if len(text) > MAX_CHARS:
        raise UnreadableDate(f"{len(text):,} characters, too long for a date")
    if date_format:
        found = _with_format(text, date_format)
        if found is not None:
            return found
    try:
        return _automatic(text)
    except UnreadableDate as exc:
        if date_format:
            raise UnreadableDate(f"does not match the date format {date_format!r} "
                                 f"({exc})") from None
        raise


def _automatic(text: str) -> datetime:
    """The readings that need no format: epoch seconds, ISO 8601, the Reuters and
    RFC 2822 forms, then dateutil."""
    if _NUMBER.fullmatch(text):
        if len(text) == 8 and text.isdigit():  # ISO 8601's basic form, 20230805
            found = _with_format(text, "%Y%m%d")
            if found is not None:
                return found
        return _epoch(float(text) if "." in text else int(text))
    # datetime.fromisoformat only learnt the "Z" suffix in Python 3.11.
    iso = text[:-1] + "+00:00" if text[-1] in "Zz" else text
    try:
        found = datetime.fromisoformat(iso)
    except ValueError:
        found = _day_month_year(text) or _dateutil(text)
    return _in_range(found)


def _day_month_year(text: str) -> datetime | None:
    """The Reuters and RFC 2822 forms, read without dateutil (ten times faster)."""
    match = _DAY_MONTH_YEAR.fullmatch(text)
    zone = match.group(9) if match else None
    if match and (zone is None or zone[0] in "+-" or zone.upper() in _ZONE_HOURS):
        day, _, month, year, hour, minute, second, fraction, _ = match.groups()
    else:
        match = _REUTERS.fullmatch(text)
        if not match:
            return None
        day, month, year, hour, minute, second, fraction = match.groups()
        zone = None
    if month.lower() not in _MONTHS:
        return None
    try:
        if zone is None:
            where = None
        elif zone[0] in "+-":
            minutes = int(zone[1:3]) * 60 + int(zone[3:])
            where = _fixed_zone(60 * (minutes if zone[0] == "+" else -minutes))
        else:
            where = _fixed_zone(3600 * _ZONE_HOURS[zone.upper()])
        return datetime(int(year), _MONTHS[month.lower()], int(day), int(hour or 0),
                        int(minute or 0), int(second or 0),
                        int((fraction or "0").ljust(6, "0")), tzinfo=where)
    except ValueError:
        return None  # e.g. 31-FEB-1987 or +2400: dateutil words the error


def clean(value: str) -> str:
    """The text with surrounding whitespace and everything from a control character on
    removed (archives append junk such as ``\\x05\\x05\\x05F`` to their dates)."""
    text = value.strip()
    junk = _CONTROL.search(text)
    return text[:junk.start()].rstrip() if junk else text


def check_date_format(date_format: str) -> None:
    """Raise ValueError unless ``date_format`` is a ``strptime`` format giving a full
    date (year, month and day), so that a typo is the caller's error, found at once."""
    try:
        written = _SAMPLE.strftime(date_format)
        back = datetime.strptime(written, date_format)
    except ValueError as exc:
        raise ValueError(f"date format {date_format!r} is not a strptime format: {exc}") \
            from None
    if back.date() != _SAMPLE.date():
        raise ValueError(f"date format {date_format!r} does not give a full date: it needs "
                         f"the year, the month and the day (e.g. %d/%m/%Y %H:%M)")


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message shows it: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text[:limit] + "..." if len(text) > limit else text


def _with_format(text: str, date_format: str) -> datetime | None:
    try:
        found = datetime.strptime(text, date_format)
    except ValueError:
        return None  # the automatic readers get their turn
    return _in_range(found)


def _epoch(seconds: float) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    if not math.isfinite(seconds):
        raise UnreadableDate("not a finite number")
    if abs(seconds) < MIN_EPOCH:
        raise UnreadableDate(f"a bare number is not a date (epoch seconds would be before "
                             f"{datetime.fromtimestamp(MIN_EPOCH, timezone.utc):%Y-%m-%d})")
    try:
        return _in_range(datetime.fromtimestamp(seconds, tz=timezone.utc))
    except (OverflowError, OSError, ValueError):
        # A common mix-up is milliseconds, which lands tens of millennia ahead.
        hint = " (milliseconds? expected seconds)" if abs(seconds) > 1e11 else ""
        raise UnreadableDate(f"out of range{hint}") from None


def _in_range(found: datetime) -> datetime:
    if not YEARS[0] <= found.year <= YEARS[1]:
        raise UnreadableDate(f"year {found.year} is out of range ({YEARS[0]}-{YEARS[1]})")
    return found


@cache
def _fixed_zone(seconds: int) -> tzinfo:
    return timezone.utc if seconds == 0 else timezone(timedelta(seconds=seconds))


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's ``tzinfos`` hook: a numeric offset or a known name; else naive.

    Always called, so dateutil never guesses from the machine's own zone names.
    """
    if offset is not None:
        return _fixed_zone(offset)
    hours = _ZONE_HOURS.get((name or "").upper())
    return None if hours is None else _fixed_zone(hours * 3600)


def _dateutil(text: str) -> datetime:
    """dateutil's strict (not fuzzy) reading, refused when the text lacks a date part
    or when its day and month could be read either way round."""
    # Imported here: only values that no fast path reads need it.
    from dateutil import parser

    try:
        found = parser.parse(text, default=_DEFAULT_A, tzinfos=_zone)
        missing = ["year"] if found.year == _DEFAULT_A.year else []
        if found.month == _DEFAULT_A.month or found.day == _DEFAULT_A.day:
            other = parser.parse(text, default=_DEFAULT_B, tzinfos=_zone)
            missing += [part for part in ("month", "day")
                        if getattr(found, part) != getattr(other, part)]
        if missing:
            lacks = " or ".join(missing) if len(missing) < 3 else "year, month or day"
            raise UnreadableDate(f"not a full date (no {lacks})")
        if found.day <= 12 and found.month <= 12 and found.day != found.month \
                and not _YEAR_FIRST.match(text) and not _MONTH_NAME.search(text) \
                and parser.parse(text, default=_DEFAULT_A, tzinfos=_zone,
                                 dayfirst=True).date() != found.date():
            raise UnreadableDate("day and month could be either way round "
                                 "(give --date-format)")
    except UnreadableDate:
        raise
    except (ValueError, OverflowError) as exc:  # dateutil's ParserError is a ValueError
        why = str(exc).split(":")[0]  # "day is out of range for month: <the text>"
        raise UnreadableDate(why if "out of range" in why else
                             "not a date form wiretrace reads") from None
    return found


def _kind(value: Any) -> str:
    """A value's JSON type name with its article, for messages: "an array"."""
    names = {dict: "an object", list: "an array", bool: "a boolean", bytes: "a byte string"}
    return names.get(type(value), f"a {type(value).__name__}")
