"""Exact numbers: half-up rounding (四舍五入) and printing decimals as people write them.

The bottom layer with model.py: loading, scoring and the site all print numbers alike."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def round_half_up(value: Fraction, places: int) -> Decimal:
    """四舍五入 to `places` decimals, exactly: 13.125 → 13.13 (never banker's 13.12); a negative
    half rounds away from zero (−2.125 → −2.13). Integer arithmetic on the fraction's terms."""
    value = Fraction(value)
    numerator, denominator = value.numerator, value.denominator
    scaled = abs(numerator) * 10 ** places
    whole = (2 * scaled + denominator) // (2 * denominator)      # ⌊|x| × 10^places + 1/2⌋
    return canonical(Decimal(-whole if numerator < 0 else whole).scaleb(-places))


_CANONICAL: dict[str, Decimal] = {}


def canonical(value: Decimal) -> Decimal:
    """One object for each Decimal as written (its value and its exponent: 2.0 and 2.00 stay
    two): a national project holds a million scores made of a few hundred values, and a
    Decimal is 104 bytes. Decimals are immutable, so sharing one is safe."""
    key = str(value)
    found = _CANONICAL.get(key)
    if found is None:
        if len(_CANONICAL) >= 100_000:
            _CANONICAL.clear()
        found = _CANONICAL[key] = value
    return found


def plain(number: Decimal) -> str:
    """A decimal as people write it: 2, 0.5, 27.22 — no exponent, no trailing zeros."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_number(value: Fraction, places: int = 4) -> str:
    """An exact value for an explanation: as is when it terminates, else ≈ rounded."""
    rounded = round_half_up(value, places)
    return plain(rounded) if rounded == value else f"≈{plain(rounded)}"


def format_quantity(value: Fraction, percent: bool) -> str:
    """A measure shown like its inputs: 0.03 as 3% when they were percentages."""
    return format_number(value * 100, 2) + "%" if percent else format_number(value)
