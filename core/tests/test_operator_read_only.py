"""The operator site shows records and changes none (issue 13, item 6): every change goes through the
services, which check the league's rules and audit; a Django admin form would bypass both."""

import pytest
from django.contrib import admin
from django.test import override_settings

from orgs.models import Org, OrgAdmin
from people.models import Cadre, Person


@pytest.fixture
def operator(client, tree):
    tree.root_admin.is_superuser = tree.root_admin.is_staff = True
    tree.root_admin.save()
    client.force_login(tree.root_admin)
    return client


# Support tools of the libraries, kept on purpose: unlocking a locked-out address (axes), removing a lost
# second factor (django-otp), reading background task results (django-tasks). None edits league data.
SUPPORT_APPS = {"axes", "otp_totp", "otp_static", "django_tasks_database"}


def test_every_model_of_league_data_is_read_only(rf):
    request = rf.get("/operator/")
    request.user = None
    registered = {model._meta.app_label for model in admin.site._registry}
    assert registered - SUPPORT_APPS == {"audit", "people", "orgs"}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in SUPPORT_APPS:
            continue
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model


@override_settings(OPERATOR_SITE_ENABLED=True)
def test_an_operator_reads_but_cannot_write(operator, tree):
    admins = OrgAdmin.objects.count()
    assert operator.get("/operator/orgs/org/").status_code == 200
    assert operator.get(f"/operator/orgs/org/{tree.branch.id}/change/").status_code == 200  # a read-only view
    # Moving a branch under a branch (T3), adding a 4th admin (C5): refused, nothing changed.
    changed = operator.post(
        f"/operator/orgs/org/{tree.branch.id}/change/", {"category": "团的领导机关", "short_name": "改名"}
    )
    assert changed.status_code == 403
    assert Org.objects.get(pk=tree.branch.pk).short_name == "五年制临床医学2017级3班团支部"
    assert operator.post("/operator/orgs/orgadmin/add/", {"org": tree.branch.id}).status_code == 403
    deleted = operator.post(f"/operator/people/cadre/{Cadre.objects.first().pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    bulk = operator.post(
        "/operator/people/person/",
        {"action": "delete_selected", "_selected_action": [tree.member.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert Person.objects.filter(pk=tree.member.pk).exists()
    assert OrgAdmin.objects.count() == admins
