from django.urls import path

from imports.urls import import_paths
from web.people import (
    bulk_views,
    cadre_views,
    member_import_views,
    member_views,
    offer_views,
    pick_views,
    record_views,
    views,
)

app_name = "people"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("search/", bulk_views.people_search, name="search"),
    path("offers/", offer_views.offers_to_confirm, name="offers"),
    path("offers/<int:offer_id>/accept/", offer_views.offer_accept, name="offer_accept"),
    path("offers/<int:offer_id>/decline/", offer_views.offer_decline, name="offer_decline"),
    path("offers/<int:offer_id>/withdraw/", offer_views.offer_withdraw, name="offer_withdraw"),
    path("orgs/<int:pk>/members/export/", bulk_views.members_export, name="members_export"),
    path("members/<int:person_id>/edit/", record_views.member_edit, name="member_edit"),
    path("orgs/<int:pk>/members/", member_views.member_list, name="members"),
    path("orgs/<int:pk>/members/pick/", pick_views.member_pick, name="member_pick"),
    path("members/<int:person_id>/delete/", member_views.member_delete, name="member_delete"),
    path("members/<int:person_id>/verify/<str:decision>/", member_views.member_verify, name="member_verify"),
    path("<int:person_id>/reveal/", member_views.person_reveal, name="reveal"),
    path("orgs/<int:pk>/members/import/", member_import_views.member_import_page, name="member_import"),
    *import_paths(
        "orgs/<int:pk>/members/", "member", "member_import", page=member_import_views.page, preview="import/check/"
    ),
    path("orgs/<int:pk>/subordinate-members/", member_import_views.subordinate_branches, name="subordinate_members"),
    path("orgs/<int:pk>/cadres/", cadre_views.cadre_list, name="cadres"),
    path("orgs/<int:pk>/cadres/new/", cadre_views.cadre_new, name="cadre_new"),
    *import_paths("orgs/<int:pk>/cadres/", "cadre", "cadre_import", page=cadre_views.page),
    path("orgs/<int:pk>/cadres/<int:person_id>/delete/", cadre_views.cadre_delete, name="cadre_delete"),
    path("orgs/<int:pk>/cadres/<int:person_id>/position/", cadre_views.cadre_position, name="cadre_position"),
    path("orgs/<int:pk>/cadres/positions/", cadre_views.cadre_positions, name="cadre_positions"),
]
