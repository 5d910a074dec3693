"""Cleaning of values as people really type or paste them (SPEC P6)."""

import re
import unicodedata

# Unicode category Cc (control characters) is exactly these ranges; tab and newline are kept.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# Chinese punctuation stays as typed in free text (names, reasons): NFKC would turn "，" into ",".
# It is swapped for private-use characters (which NFKC leaves alone) around the normalisation.
CJK_PUNCTUATION = "，。、；：？！（）【】《》“”‘’"
_PROTECT = str.maketrans({ch: chr(0xF0000 + i) for i, ch in enumerate(CJK_PUNCTUATION)})
_RESTORE = str.maketrans({chr(0xF0000 + i): ch for i, ch in enumerate(CJK_PUNCTUATION)})


def clean_text(value: object) -> str:
    """Full-width letters, digits and spaces to half-width (NFKC), Chinese punctuation kept, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    # Text already in NFKC (most of it) comes out of the swap and the normalisation unchanged: the
    # punctuation NFKC would fold is not in it, and the rest is swapped back as it was.
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text.translate(_PROTECT)).translate(_RESTORE)
    # Control characters (a pasted NUL among them) are never part of a name, code or number;
    # printable text has none.
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    return text.strip()


def clean_code(value: object) -> str:
    """Like clean_text, and drops every space: ID numbers, mobiles, codes."""
    return "".join(clean_text(value).split())
