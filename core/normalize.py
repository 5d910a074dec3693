"""Cleaning of values as people really type or paste them (SPEC P6)."""

import re
import unicodedata

# Unicode category Cc (control characters) is exactly these ranges; tab and newline are kept.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: object) -> str:
    """Full-width to half-width (NFKC), trimmed, inner whitespace removed for codes."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    # Control characters (a pasted NUL among them) are never part of a name, code or number.
    text = _CONTROL.sub("", text)
    return text.strip()


def clean_code(value: object) -> str:
    """Like clean_text, and drops every space: ID numbers, mobiles, codes."""
    return "".join(clean_text(value).split())
