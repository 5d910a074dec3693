"""Free text keeps its Chinese punctuation; codes and numbers still lose full-width forms (issue 14, item 11)."""

import pytest

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
