"""Issue 12 (1): linking a person already on record never crosses the organisation boundary.

The attack, from the outside: an admin of any organisation enters a stranger (the root admin, a member of
another province) as its cadre or secretary by name and ID number, then asks for a reset code, resets the
password and logs in as them. Now the link is only an offer (任职确认) that the person, or the admin
responsible for their record, must accept; the offering side sees nothing, writes nothing and never
gets reset or edit rights.
"""

import pytest
from django.urls import reverse

from conftest import PASSWORD, make_id_number
from orgs.models import Org
from people.models import Cadre, Person, PostOffer, PostOfferStatus


def _cadre_body(person, position="委员", **extra):
    return {"person": {"name": person.name, "id_number": person.id_number, **extra}, "position": position}


@pytest.fixture
def attacker(tree, api_login):
    """The admin of 团浙江省委, a province with no reach over 团江苏省委 or 团中央."""
    return api_login(tree.outsider)


@pytest.mark.parametrize("victim_name", ["root_admin", "member", "uni_admin"])
def test_entering_a_stranger_as_cadre_shows_nothing_and_links_nothing(tree, attacker, victim_name):
    victim = getattr(tree, victim_name)
    before = Person.objects.values().get(pk=victim.pk)
    response = attacker.post(
        f"/api/v1/orgs/{tree.other_province.id}/cadres",
        _cadre_body(victim, mobile="13900000000", email="evil@example.cn"),
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "待确认" and "任职须经本人" in body["message"]
    assert victim.id_number not in response.content.decode()
    assert victim.mobile not in response.content.decode()
    assert not Cadre.objects.filter(org=tree.other_province, person=victim).exists()
    assert Person.objects.values().get(pk=victim.pk) == before  # no field written

    # No reset code for them, by any route the attacker holds.
    reset = attacker.post(f"/api/v1/orgs/{tree.other_province.id}/people/{victim.pk}/reset-code")
    assert reset.status_code in (403, 404), reset.content


def test_the_whole_takeover_chain_fails(tree, attacker, client):
    attacker.post(
        f"/api/v1/orgs/{tree.other_province.id}/cadres", _cadre_body(tree.root_admin), content_type="application/json"
    )
    reset = attacker.post(f"/api/v1/orgs/{tree.other_province.id}/people/{tree.root_admin.pk}/reset-code")
    assert reset.status_code in (403, 404)
    assert "reset_code" not in reset.json()
    # The root admin still logs in with their own password.
    login = client.post(
        "/api/v1/auth/login",
        {"id_number": tree.root_admin.id_number, "password": PASSWORD},
        content_type="application/json",
    )
    assert login.status_code == 200


def test_the_offering_side_cannot_accept_its_own_offer(tree, attacker):
    attacker.post(
        f"/api/v1/orgs/{tree.other_province.id}/cadres", _cadre_body(tree.member), content_type="application/json"
    )
    offer = PostOffer.objects.get(person=tree.member)
    assert attacker.post(f"/api/v1/post-offers/{offer.id}/accept").status_code == 404
    assert attacker.get("/api/v1/post-offers").json()["count"] == 0
    assert offer.__class__.objects.get(pk=offer.pk).status == PostOfferStatus.PENDING


def test_setting_a_stranger_as_secretary_offers_the_post_and_keeps_their_mobile(tree, attacker):
    victim = tree.member
    response = attacker.patch(
        f"/api/v1/orgs/{tree.other_province.id}",
        {"secretary": {"name": victim.name, "id_number": victim.id_number, "mobile": "13900000000"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["secretary"] is None
    assert victim.id_number not in response.content.decode()
    victim.refresh_from_db()
    assert victim.mobile == "13812345678"
    assert Org.objects.get(pk=tree.other_province.pk).secretary_id is None
    assert not Cadre.objects.filter(org=tree.other_province, person=victim).exists()
    offer = PostOffer.objects.get(person=victim, org=tree.other_province)
    assert offer.secretary is True and offer.position == "书记"


def test_the_person_accepts_and_the_post_starts_without_reset_rights(tree, attacker, api_login):
    attacker.post(
        f"/api/v1/orgs/{tree.other_province.id}/cadres",
        _cadre_body(tree.member, position="副书记"),
        content_type="application/json",
    )
    victim = api_login(tree.member)
    offers = victim.get("/api/v1/post-offers").json()
    assert offers["count"] == 1 and offers["items"][0]["org_id"] == tree.other_province.id
    accepted = victim.post(f"/api/v1/post-offers/{offers['items'][0]['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "已确认"
    assert Cadre.objects.get(org=tree.other_province, person=tree.member).position == "副书记"
    # A consented post still gives the other organisation no reset right: the branch answers for the record.
    reset = attacker.post(f"/api/v1/orgs/{tree.other_province.id}/people/{tree.member.pk}/reset-code")
    assert reset.status_code == 403


def test_the_admin_responsible_for_the_record_confirms_or_declines(tree, attacker, api_login):
    for position in ("委员",):
        attacker.post(
            f"/api/v1/orgs/{tree.other_province.id}/cadres",
            _cadre_body(tree.member, position=position),
            content_type="application/json",
        )
    branch_admin = api_login(tree.branch_admin)
    listed = branch_admin.get("/api/v1/post-offers").json()
    assert [i["name"] for i in listed["items"]] == [tree.member.name]
    offer_id = listed["items"][0]["id"]
    # Someone else's admin (the 团总支 above the branch) does not answer for the member's record.
    assert api_login(tree.general_admin).post(f"/api/v1/post-offers/{offer_id}/decline").status_code == 404
    declined = branch_admin.post(f"/api/v1/post-offers/{offer_id}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "已拒绝"
    assert not Cadre.objects.filter(org=tree.other_province, person=tree.member).exists()
    again = branch_admin.post(f"/api/v1/post-offers/{offer_id}/accept")
    assert again.status_code == 409 and again.json()["code"] == "offer_closed"


def test_the_offering_organisation_lists_and_withdraws_its_offers(tree, attacker, api_login):
    attacker.post(
        f"/api/v1/orgs/{tree.other_province.id}/cadres", _cadre_body(tree.member), content_type="application/json"
    )
    listed = attacker.get(f"/api/v1/orgs/{tree.other_province.id}/post-offers").json()
    assert listed["count"] == 1 and listed["items"][0]["id_number"].count("*") >= 8
    offer_id = listed["items"][0]["id"]
    # Another organisation cannot withdraw it.
    other = api_login(tree.province_admin)
    assert other.delete(f"/api/v1/orgs/{tree.other_province.id}/post-offers/{offer_id}").status_code == 404
    assert attacker.delete(f"/api/v1/orgs/{tree.other_province.id}/post-offers/{offer_id}").status_code == 204
    assert PostOffer.objects.get(pk=offer_id).status == PostOfferStatus.WITHDRAWN


def test_someone_in_reach_is_linked_at_once(tree, api_login):
    """A member of the admin's own subtree needs no confirmation: nothing new is revealed."""
    response = api_login(tree.uni_admin).post(
        f"/api/v1/orgs/{tree.uni.id}/cadres", _cadre_body(tree.member), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Cadre.objects.filter(org=tree.uni, person=tree.member, position="委员").exists()


def test_reset_codes_come_only_from_the_admin_responsible_for_the_record(tree, api_login, make_person):
    # A cadre entered new by 校团委 is registered there: 团江苏省委 (its direct superior) answers for them.
    created = api_login(tree.uni_admin).post(
        f"/api/v1/orgs/{tree.uni.id}/cadres",
        {
            "person": {
                "name": "新任委员",
                "id_number": make_id_number("19950505"),
                "political_status": "团员",
                "league_join_date": "2009-09",
            },
            "position": "委员",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pid = created.json()["person"]["id"]
    assert Person.objects.get(pk=pid).home_org_id == tree.uni.id
    url = f"/api/v1/orgs/{tree.uni.id}/people/{pid}/reset-code"
    assert api_login(tree.uni_admin).post(url).status_code == 403
    assert api_login(tree.province_admin).post(url).status_code == 200
    # A member: their branch admin alone (P9).
    member_url = f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.pk}/reset-code"
    assert api_login(tree.branch_admin).post(member_url).status_code == 200
    assert api_login(tree.general_admin).post(member_url).status_code == 403


def test_pages_offer_accept_and_withdraw(tree, client, make_person):
    client.force_login(tree.outsider)
    response = client.post(
        reverse("people:cadre_new", args=[tree.other_province.id]),
        {
            "name": tree.member.name,
            "id_number": tree.member.id_number,
            "position": "委员",
            "political_status": "团员",
            "league_join_date": "2013-09",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "任职确认" in page and tree.member.id_number not in page
    listing = client.get(reverse("people:cadres", args=[tree.other_province.id])).content.decode()
    assert "待确认的任职" in listing and tree.member.id_number not in listing

    client.force_login(tree.member)
    me = client.get(reverse("people:me")).content.decode()
    assert "待您确认的任职" in me and "共青团浙江省委员会" in me
    offer = PostOffer.objects.get(person=tree.member)
    client.post(reverse("people:offer_accept", args=[offer.id]), follow=True)
    assert Cadre.objects.filter(org=tree.other_province, person=tree.member).exists()

    # The branch admin sees the offers to confirm in 任职确认 and on the home page.
    client.force_login(tree.outsider)
    client.post(
        reverse("people:cadre_new", args=[tree.other_province.id]),
        {
            "name": tree.branch_admin.name,
            "id_number": tree.branch_admin.id_number,
            "position": "委员",
            "political_status": "团员",
            "league_join_date": "2013-09",
        },
    )
    offer = PostOffer.objects.get(person=tree.branch_admin)
    client.post(reverse("people:offer_withdraw", args=[offer.id]))
    assert PostOffer.objects.get(pk=offer.pk).status == PostOfferStatus.WITHDRAWN
