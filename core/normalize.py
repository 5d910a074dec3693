"""Cleaning of values as people really type or paste them (SPEC P6)."""

import re
import unicodedata
from functools import lru_cache

# Unicode category Cc (control characters) is exactly these ranges; tab and newline are kept.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# Chinese punctuation stays as typed in free text (names, reasons): NFKC would turn "，" into ",".
# It is swapped for private-use characters (which NFKC leaves alone) around the normalisation.
CJK_PUNCTUATION = "，。、；：？！（）【】《》“”‘’"
_PROTECT = str.maketrans({ch: chr(0xF0000 + i) for i, ch in enumerate(CJK_PUNCTUATION)})
_RESTORE = str.maketrans({chr(0xF0000 + i): ch for i, ch in enumerate(CJK_PUNCTUATION)})


def clean_text(value: object) -> str:
    """Full-width letters, digits and spaces to half-width (NFKC), Chinese punctuation kept, trimmed."""
    if type(value) is str:
        return _clean(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _clean(str(value))


def clean_code(value: object) -> str:
    """Like clean_text, and drops every space: ID numbers, mobiles, codes."""
    return _no_spaces(clean_text(value))


# An import cleans each cell several times (the check of a required field, the field, the parser) and most
# cells repeat down a column (民族, 学历, 职业): the results of recent strings are kept. Only strings are
# cached, whose results depend on nothing else.
@lru_cache(maxsize=8192)
def _clean(text: str) -> str:
    # Text already in NFKC (most of it) comes out of the swap and the normalisation unchanged: the
    # punctuation NFKC would fold is not in it, and the rest is swapped back as it was.
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text.translate(_PROTECT)).translate(_RESTORE)
    # Control characters (a pasted NUL among them) are never part of a name, code or number;
    # printable text has none.
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    return text.strip()


@lru_cache(maxsize=8192)
def _no_spaces(text: str) -> str:
    return "".join(text.split())
