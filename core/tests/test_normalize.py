"""Free text keeps its Chinese punctuation; codes and numbers still lose full-width forms (issue 14, item 11)."""

import random
import unicodedata

import pytest

from core import normalize
from core.normalize import clean_code, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("因升学转出，请尽快审批。", "因升学转出，请尽快审批。"),
        ("口腔医学（5+3）一体化2016级1班团支部", "口腔医学（5+3）一体化2016级1班团支部"),
        ("“青年大学习”：第１期；【通知】《办法》！？、", "“青年大学习”：第1期；【通知】《办法》！？、"),
        ("ＡＢＣ　１２３", "ABC 123"),
        ("  王小明\x00 ", "王小明"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def _clean_text_without_shortcuts(value) -> str:
    """clean_text as it was before it skipped the work text already clean does not need."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(normalize._PROTECT)).translate(normalize._RESTORE)
    return normalize._CONTROL.sub("", text).strip()


def test_the_shortcuts_of_clean_text_change_nothing():
    pieces = [
        "王", "ｱ", "ＡＢ", "１", "　", " ", "\t", "\n", "\x00", "\x7f", "\x85", "\u00a0", "\u200b", "e\u0301", "\u00e9",
        "ﬁ", "①", "㈱", "ｶﾞ", "\u3000", *normalize.CJK_PUNCTUATION, "，\u0301", "a", "-", "汉族", "\U0001F600",
    ]  # fmt: skip
    rng = random.Random(15)
    values = [None, 3.0, 2.5, 13812345678, *pieces]
    values += ["".join(rng.choices(pieces, k=rng.randint(1, 8))) for _ in range(5000)]
    for value in values:
        assert clean_text(value) == _clean_text_without_shortcuts(value), repr(value)


def test_codes_still_lose_full_width_forms_and_spaces():
    assert clean_code("３２０１０２　１９９９０１０１") == "32010219990101"


def test_a_name_with_full_width_brackets_reads_back_as_typed_through_the_api(tree, api_login):
    created = api_login(tree.general_admin).post(
        f"/api/v1/orgs/{tree.general.id}/children",
        {"short_name": "口腔医学（5+3）一体化2016级1班团支部", "category": "团支部"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["short_name"] == "口腔医学（5+3）一体化2016级1班团支部"
