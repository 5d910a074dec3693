"""Several refusals read as one Chinese sentence, never "…。；…" (issue 14, item 11)."""

from core.exceptions import join_messages


def test_join_messages():
    assert join_messages(["请填写姓名。", "手机号码格式不正确。"]) == "请填写姓名；手机号码格式不正确。"
    assert join_messages(["一项"]) == "一项。"
    assert join_messages([]) == ""


def test_an_api_refusal_with_two_bad_fields_reads_as_one_sentence(tree, api_login):
    response = api_login(tree.member).patch(
        "/api/v1/me", {"mobile": "12345", "email": "not-an-email"}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    message = response.json()["message"]
    assert "。；" not in message and message.endswith("。") and "；" in message
