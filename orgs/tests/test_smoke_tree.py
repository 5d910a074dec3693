def test_the_shared_tree_builds_with_levels_and_paths(tree):
    assert tree.branch.level == 6  # SPEC T1: a class branch is level 6
    assert tree.branch.full_name.endswith("五年制临床医学2017级3班团支部")
    assert list(tree.uni.subtree().order_by("path")) == [tree.uni, tree.college, tree.general, tree.branch]
    assert [o.id for o in tree.branch.ancestors()] == [
        tree.root.id,
        tree.province.id,
        tree.uni.id,
        tree.college.id,
        tree.general.id,
    ]
