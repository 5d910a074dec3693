"""团籍状态 over the test tree (conftest.tree): the 团支部 (its admin asks, the 团总支 approves) with two members
past 28 who hold no post, and helpers for a request and its approval."""

import pytest

from standing import services


@pytest.fixture
def st_tree(tree, make_person):
    t = tree
    t.old = make_person("超龄团员甲", birth="19950101", branch=t.branch)
    t.old2 = make_person("超龄团员乙", birth="19960301", branch=t.branch)
    return t


def request_change(t, person, status="自愿退团", reason="本人申请退团", actor=None):
    return services.status_change_request(person=person, actor=actor or t.branch_admin, status=status, reason=reason,
                                          explanation="情况说明")  # fmt: skip


def leave(t, person, status="自愿退团"):
    """A member who has left: requested by the branch admin, approved by the 团总支."""
    change = request_change(t, person, status)
    return services.status_change_approve(change=change, actor=t.general_admin)
