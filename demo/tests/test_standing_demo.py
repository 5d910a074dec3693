"""Issue 18 item 5: the demo has members past 28 on the 应离团 list, one pending status change, one left member."""

import io

import pytest
from django.core.management import call_command

from demo.rating import GENERAL
from orgs.models import Org
from people.models import Person
from progress.aggregates import stats_recount
from standing import selectors
from standing.models import StatusChange


@pytest.mark.django_db
def test_the_demo_shows_the_standing_module(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # as the command's own commits run them
        call_command("seed_demo", members=300, seed=11, stdout=io.StringIO())
    general = Org.objects.get(short_name=GENERAL)
    assert selectors.overage_members(general).count() >= 3
    assert StatusChange.objects.filter(status="待审核", to_status="超龄离团").count() == 1
    left = selectors.left_members(general)
    assert left.count() == 1 and left[0].branch_id is None and left[0].league_status == "自愿退团"
    assert Person.objects.filter(pending_status="超龄离团").count() == 1
    assert stats_recount() == []
