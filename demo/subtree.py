"""A large synthetic subtree inserted in bulk, for the migration tests and `make bench`.

One 基层团委 under `parent`, with `committees` 分团委 below it, `generals`
团总支 under each and `branches` 团支部 under each of those: 1 + c + c·g + c·g·b
organisations. Paths are computed here as demo/generator.py does, and each
level is one bulk_create, never add_child per node.
"""

from orgs.models import Org
from orgs.rules import Category
from orgs.services import org_create_child

BATCH = 2000


def subtree_size(committees: int, generals: int, branches: int) -> int:
    return 1 + committees + committees * generals + committees * generals * branches


def build_subtree(parent: Org, *, short_name: str, committees: int, generals: int, branches: int) -> Org:
    top = org_create_child(parent=parent, short_name=short_name, category=Category.PRIMARY, by_operator=True)
    shape = [
        (committees, Category.PRIMARY, "第{}分团委"),
        (generals, Category.GENERAL, "{}级团总支"),
        (branches, Category.BRANCH, "{}班团支部"),
    ]
    level = [top]
    for count, category, pattern in shape:
        children = []
        for node in level:
            for i in range(1, count + 1):
                name = pattern.format(i)
                children.append(
                    Org(
                        path=Org._get_path(node.path, node.depth + 1, i),
                        depth=node.depth + 1,
                        numchild=0,
                        parent_id=node.id,
                        category=category,
                        short_name=name,
                        full_name=node.full_name + name,
                        sort_order=i,
                    )
                )
            node.numchild = count
        Org.objects.bulk_update(level, ["numchild"], batch_size=BATCH)
        level = Org.objects.bulk_create(children, batch_size=BATCH)
    top.refresh_from_db()
    return top
