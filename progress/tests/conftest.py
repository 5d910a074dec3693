import pytest

from progress.aggregates import stats_recount


@pytest.fixture
def stats_tree(tree):
    """The shared tree with its progress figures counted (fixtures run before any on-commit hook)."""
    stats_recount(fix=True)
    return tree


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block's on-commit hooks, as a real request's commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
