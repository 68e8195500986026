"""Reading loaded YAML values into typed ones: one small parser per kind of value,
and `read_map`, which applies a table of fields to a mapping, rejects unknown keys
with the nearest valid one, and reports every problem with its position.

Parsers take a loaded value (Scalar, Map or Seq) and return a Python value or raise
Invalid(message, hint). They never see a file: positions come from the values.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable

from ..errors import Invalid, Mark, Problems, suggest
from ..model import Quantity
from .characters import ascii_number
from .yamlio import Map, Scalar, Seq, describe, mark_of

Parser = Callable[[Any], Any]

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
MAX_ID = 64                # ids become file and folder names; a path component holds at most 255 bytes
NUMBER_RE = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,6})?\Z")       # ASCII digits only: \d would take ৪৫
PERCENT_RE = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,6})?%\Z")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# names Windows reserves for devices, in any case and with any extension: most staff unpack the site on Windows
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}


@dataclass(frozen=True)
class Field:
    """One key of a mapping: how to parse it, and whether it must be there."""

    parse: Parser
    required: bool = False
    default: Any = None
    doc: str = ""


def read_map(value, fields: dict[str, Field], problems: Problems, what: str,
             fallback: Mark) -> dict | None:
    """Parse a mapping field by field; every problem goes to `problems`.

    Returns the parsed values, or None when `value` is no mapping. Optional keys that
    are missing or failed to parse take their default; a required key that is missing
    or failed is left out, so callers test it with .get().
    """
    if not isinstance(value, Map):
        problems.add(mark_of(value, fallback), f"expected {what} (a mapping of keys), got {describe(value)}")
        return None
    parsed: dict[str, Any] = {}
    misspelt = set()
    for key in value:
        if key not in fields:
            problems.add(value.key_mark(key), f"expected a key of {what}, got the unknown key {key!r}",
                         suggest(key, fields, "keys"))
            misspelt.update(difflib.get_close_matches(key, fields, n=3, cutoff=0.5))
    for name, field in fields.items():
        if name not in value or _is_null(value[name]):
            if not field.required:
                parsed[name] = field.default
            elif name not in misspelt:   # a misspelt key has already said it
                problems.add(value.key_mark(name) if name in value else value.mark,
                             f"expected the key {name!r} in {what}, got {'nothing' if name in value else 'no such key'}",
                             field.doc)
            continue
        try:
            parsed[name] = field.parse(value[name])
        except Invalid as error:
            problems.add_invalid(value.value_mark(name), error)
            if not field.required:   # reported; the default keeps the rest of the checking going
                parsed[name] = field.default
    return parsed


def _is_null(value) -> bool:
    return isinstance(value, Scalar) and value.is_null


def raw(value):
    """The loaded value as it is, for a caller that reads it further."""
    return value


def scalar(value) -> Scalar:
    """The value itself when it is a single piece of text, else Invalid."""
    if not isinstance(value, Scalar):
        raise Invalid(f"expected a single value, got {describe(value)}")
    return value


def text(value) -> str:
    """A single line or block of text, kept as written; it must say something: a key
    that is there with nothing but spaces would otherwise drop what it belongs to."""
    written = str(scalar(value)).strip()
    if not written:
        raise Invalid(f"expected text, got {'an empty text' if not str(value) else 'nothing but spaces'}",
                      "write the text, or leave the key out")
    return written


def ident(value) -> str:
    """An id that becomes part of a URL and a file name: [a-z0-9][a-z0-9-]*, portable."""
    written = str(scalar(value))
    problem = id_problem(written)
    if problem:
        raise problem
    return written


def id_problem(written: str, what: str = "an id") -> Invalid | None:
    """Why `written` cannot be an id (a URL segment and a file name on every system), or None."""
    if not ID_RE.match(written):
        fixed = re.sub(r"[^a-z0-9-]+", "-", written.lower()).strip("-")
        return Invalid(f"expected {what} of lowercase letters, digits and '-', got {describe(written)}",
                       f"ids become URLs; try {fixed!r}" if fixed else "ids become URLs: use a-z, 0-9 and '-'")
    if len(written) > MAX_ID:
        return Invalid(f"expected {what} of at most {MAX_ID} characters, got {len(written)}",
                       f"ids become file names; shorten it, e.g. {written[:24].rstrip('-')!r}")
    if written in WINDOWS_RESERVED:
        return Invalid(f"expected {what} usable as a file name on Windows, got {written!r}, a name Windows "
                       "reserves for a device", f"try {written + '-1'!r} or another word")
    return None


def numeric(value) -> str:
    """The text of a value meant as a number: full-width digits read as ASCII, other scripts refused."""
    return ascii_number(str(scalar(value)).strip())


def number(value) -> Decimal:
    """A plain decimal number as written: 2, 0.5, 13.125 (no exponent, no %)."""
    written = numeric(value)
    if PERCENT_RE.match(written):
        raise Invalid(f"expected a number of points, got the percentage {written!r}",
                      f"points are plain numbers: did you mean {written[:-1]}?")
    if not NUMBER_RE.match(written):
        raise Invalid(f"expected a number such as 2 or 0.5, got {describe(written)}",
                      number_hint(written) or "write digits with an optional decimal point, no units (分) and no exponent")
    return Decimal(written)


def number_hint(written: str) -> str:
    """What a number that almost reads right was meant to be: +18.5, .5, 92.5 %, 1,000."""
    fixed = written.replace(" ", "").replace(",", "").lstrip("+")
    if fixed.startswith("."):
        fixed = "0" + fixed
    fixed = re.sub(r"^(-?)\.", r"\g<1>0.", fixed)
    if fixed != written and (NUMBER_RE.match(fixed) or PERCENT_RE.match(fixed)):
        return f"did you mean {fixed}?"
    return ""


def non_negative(parse: Parser) -> Parser:
    """The same parser, refusing numbers below zero."""
    def parse_non_negative(value):
        result = parse(value)
        if result < 0:
            raise Invalid(f"expected a number ≥ 0, got {describe(value)}")
        return result
    return parse_non_negative


def positive(parse: Parser) -> Parser:
    """The same parser, refusing zero and numbers below it."""
    def parse_positive(value):
        result = parse(value)
        if result <= 0:
            raise Invalid(f"expected a number greater than 0, got {describe(value)}")
        return result
    return parse_positive


def integer(value) -> int:
    """A whole number ≥ 0, such as a count of misses."""
    written = numeric(value)
    if not re.fullmatch(r"\d{1,9}", written):
        raise Invalid(f"expected a whole number ≥ 0, got {describe(written)}", "counts are written as 0, 1, 2 …")
    return int(written)


def quantity(value) -> Quantity:
    """A number (7, 0.93) or a percentage (92.5%): what thresholds compare."""
    written = numeric(value)
    if PERCENT_RE.match(written):
        return Quantity(Fraction(Decimal(written[:-1])) / 100, True, written)
    if NUMBER_RE.match(written):
        return Quantity(Fraction(Decimal(written)), False, written)
    raise Invalid(f"expected a number or a percentage such as 92.5%, got {describe(written)}", number_hint(written))


def boolean(value) -> bool:
    """true or false."""
    written = str(scalar(value)).strip()
    if written in ("true", "false"):
        return written == "true"
    raise Invalid(f"expected true or false, got {describe(written)}")


def date(value) -> dt.date:
    """A calendar date written 2026-11-20."""
    written = numeric(value)
    if not DATE_RE.match(written):
        raise Invalid(f"expected a date such as 2026-11-20, got {describe(written)}", "write dates as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(written)
    except ValueError as error:
        raise Invalid(f"expected a date such as 2026-11-20, got {describe(written)}", f"{error}") from None


def one_of(*choices: str) -> Parser:
    """One of a few fixed words."""
    def parse_choice(value) -> str:
        written = str(scalar(value)).strip()
        if written not in choices:
            raise Invalid(f"expected one of {', '.join(choices)}, got {describe(written)}",
                          suggest(written, choices))
        return written
    return parse_choice


def list_of(parse: Parser, allow_single: bool = True) -> Parser:
    """A list of values; a single value stands for a list of one when allowed."""
    def parse_list(value) -> tuple:
        if isinstance(value, Seq):
            items, errors = [], []
            for item in value:
                try:
                    items.append(parse(item))
                except Invalid as error:
                    errors.append((mark_of(item, value.mark), error))
            if errors:
                mark, first = errors[0]
                raise Invalid(first.message, first.hint, first.mark or mark)
            return tuple(items)
        if allow_single and isinstance(value, Scalar):
            return (parse(value),)
        raise Invalid(f"expected a list, got {describe(value)}")
    return parse_list


def url(value) -> str:
    """An http, https or mailto address: nothing else may become a link. A web address may not
    carry a user name (https://evil.example\\@www.gov.cn/ leads to evil.example) or a backslash."""
    written = text(value)
    if not re.match(r"(https?://[^\s/]+|mailto:[^\s]+@)", written, re.IGNORECASE) or re.search(r"[\s<>\"]", written):
        raise Invalid(f"expected an http://, https:// or mailto: address, got {describe(written)}",
                      "only http, https and mailto links are published; local files go in `file:`")
    if re.match(r"https?:", written, re.IGNORECASE):
        authority = re.match(r"https?://([^/?#]*)", written, re.IGNORECASE).group(1)
        if "@" in authority or "\\" in written:
            raise Invalid(f"expected a web address without a user name or backslash, got {describe(written)}",
                          "such an address can lead somewhere other than it reads; write the plain https:// address")
    return written


def base_url(value) -> str:
    """The site's public address: http or https, ending in '/', without a query or fragment."""
    return check_base_url(str(scalar(value)).strip())


def check_base_url(written: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#@\\<>\"':]+(:[0-9]{1,5})?(/[^\s?#<>\"'\\]*)?", written, re.IGNORECASE):
        raise Invalid(f"expected a base URL such as https://www.example.gov.cn/kaohe/, got {describe(written)}",
                      "http:// or https://, a host name, an optional path; no spaces, query (?) or fragment (#)")
    return written if written.endswith("/") else written + "/"

