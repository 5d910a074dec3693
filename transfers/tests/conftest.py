import pytest

from conftest import make_person_plain
from orgs.services import org_create_child
from people.admins import org_admin_add
from people.services import cadre_assign


@pytest.fixture
def places(tree):
    """A second branch under the same 团总支, and a workplace committee elsewhere with a branch."""
    tree.branch2 = org_create_child(parent=tree.general, short_name="临床医学2017级4班团支部", category="团支部",
                                    actor=tree.general_admin)  # fmt: skip
    tree.company = org_create_child(parent=tree.city, short_name="南京地铁集团团委", category="基层团委",
                                    actor=tree.city_admin)  # fmt: skip
    tree.company_admin = make_person_plain("地铁团委书记", "19900909")
    cadre_assign(person=tree.company_admin, org=tree.company, position="书记")
    org_admin_add(org=tree.company, person=tree.company_admin)
    tree.company_branch = org_create_child(parent=tree.company, short_name="客运部团支部", category="团支部",
                                           actor=tree.company_admin)  # fmt: skip
    return tree
