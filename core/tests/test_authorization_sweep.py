"""The organisation boundary tested from outside (issue 8, item 1; SPEC §8).

Every page route (walked from Django's URL resolver) and every API operation
(read from the served OpenAPI document) is tried, for GET and POST on pages
and for its declared method on the API, by five personas:

- anonymous    no session, no token;
- member       a plain member of the branch (no admin post);
- outsider     the admin of 团浙江省委, an unrelated organisation;
- subordinate  the branch's admin acting on its superior, the 团总支;
- superior     the university committee's admin acting on the 团总支 two levels
               below it (and on the branch three levels below): SPEC §8 gives it
               read-only access (statistics and basic information), no changes.

Each answer is classified and compared with EXPECTATIONS. A route that is not
in the table fails `test_every_route_has_expectations`, telling the developer
to add it: a new endpoint cannot be forgotten. Every refused request is also
checked to have written nothing (each request runs inside a savepoint that is
rolled back afterwards, so one request cannot disturb the next).

Outcome codes (one per persona, in the order of PERSONAS):
  O  ok: 2xx                         R  a redirect, not to the login page
  L  login: 302 to login (pages) or 401 (API)
  H  hidden: 404 (existence itself is private)
  F  forbidden: 403 or 404           N  405 method not allowed
  V  refused on the merits: 400, 409 or 422 (bad code, wrong password, ...)
  W  allowed to act: 2xx or a redirect, and it may write (every other code must write nothing)
  A code may list alternatives, e.g. "OR" = 2xx or a redirect.
A 5xx is never acceptable.
"""

import copy
import io
import re
import zipfile
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import PasswordResetCode
from conftest import PASSWORD, make_id_number, make_person_plain
from excel.workbooks import table_workbook, to_bytes
from exports.models import ExportChunk, ExportJob
from imports import importer
from imports.importers import children as batch
from imports.importers import members as member_importer
from imports.models import ImportJob
from orgchanges import admin_changes, migration
from orgs import services as org_services
from orgs.models import AdminChange, Org, OrgAdmin, OrgMigration, RegistrationCode
from people import services as people_services
from people.models import Cadre, Person, PostOffer
from people.post_offers import post_offer_make
from standing import services as standing_services
from transfers import services as transfer_services
from transfers.models import TransferRequest
from workflow.models import Process, Step

PERSONAS = ("anonymous", "member", "outsider", "subordinate", "superior")

# Tables whose rows a refused request must leave exactly as they were.
GUARDED = (Org, OrgAdmin, RegistrationCode, AdminChange, OrgMigration, Person, Cadre, TransferRequest,
           PasswordResetCode, ImportJob, ExportJob, PostOffer, Process, Step)  # fmt: skip
PERSON_NOISE = {"last_login", "updated_at"}

# --- the table ----------------------------------------------------------------
# Pages: (url name, method); API: (method, OpenAPI path). Value: codes for
# anonymous, member, outsider, subordinate, superior.

PAGES = {
    # public and personal pages
    ("", "GET"): "L R R R R",
    ("", "POST"): "L R R R R",
    ("accounts:login", "GET"): "O R R R R",
    ("accounts:login", "POST"): "O R R R R",
    ("accounts:logout", "GET"): "N N N N N",
    ("accounts:logout", "POST"): "L L L L L",
    ("accounts:password_change", "GET"): "L O O O O",
    ("accounts:password_change", "POST"): "L W W W W",
    ("accounts:register_admin", "GET"): "O O O O O",
    ("accounts:register_admin", "POST"): "O O O O O",
    ("accounts:register_org_search", "GET"): "O O O O O",
    ("accounts:register_org_search", "POST"): "O O O O O",
    ("accounts:register_member", "GET"): "O O O O O",
    ("accounts:register_member", "POST"): "W W W W W",
    ("accounts:register_branch_search", "GET"): "O O O O O",
    ("accounts:register_branch_search", "POST"): "O O O O O",
    ("accounts:password_reset", "GET"): "O O O O O",
    ("accounts:password_reset", "POST"): "O O O O O",
    ("accounts:otp_settings", "GET"): "L O O O O",
    ("accounts:otp_settings", "POST"): "L O O O O",
    ("accounts:otp_verify", "GET"): "L L L L L",  # only right after a correct password (none here)
    ("accounts:otp_verify", "POST"): "L L L L L",
    ("accounts:otp_enrol", "GET"): "L O O O O",
    ("accounts:otp_enrol", "POST"): "L O O O O",
    ("people:me", "GET"): "L O O O O",
    # 任职确认 (issue 12): an offer of the 团总支 to the branch's member; the member and their branch admin
    # (the subordinate persona) answer it; its withdrawal is the 团总支's or its superior's alone.
    ("people:offers", "GET"): "L O O O O",
    ("people:offers", "POST"): "L N N N N",
    ("people:offer_accept", "GET"): "L N N N N",
    ("people:offer_accept", "POST"): "L W F W F",
    ("people:offer_decline", "GET"): "L N N N N",
    ("people:offer_decline", "POST"): "L W F W F",
    ("people:offer_withdraw", "GET"): "L N N N N",
    ("people:offer_withdraw", "POST"): "L F F F F",
    ("people:me", "POST"): "L W W W W",
    ("api:openapi-json", "GET"): "O O O O O",
    ("api:openapi-json", "POST"): "O O O O O",
    ("api:openapi-view", "GET"): "O O O O O",
    ("api:openapi-view", "POST"): "O O O O O",
    ("api:api-root", "GET"): "H H H H H",
    ("api:api-root", "POST"): "H H H H H",
    # the admin's own area (管理中心): what it shows depends on the caller's own posts
    ("orgs:home", "GET"): "L R O O O",
    ("orgs:home", "POST"): "L R O O O",
    ("orgs:switch", "GET"): "L N N N N",
    ("orgs:switch", "POST"): "L F F F F",
    ("orgs:tree", "GET"): "L F O O O",
    ("orgs:tree", "POST"): "L F O O O",
    ("orgs:progress_prompt", "GET"): "L R O O O",
    ("orgs:progress_prompt", "POST"): "L R O O O",
    ("progress:start", "GET"): "L H R R R",
    ("progress:start", "POST"): "L H R R R",
    ("people:search", "GET"): "L F O O O",
    ("people:search", "POST"): "L F O O O",
    ("transfers:list", "GET"): "L F O O O",
    ("transfers:list", "POST"): "L F O O O",
    ("transfers:in", "GET"): "L F O O O",
    ("transfers:in", "POST"): "L F O O O",
    ("transfers:out", "GET"): "L F O O O",
    ("transfers:out", "POST"): "L F O O O",
    ("transfers:batch", "GET"): "L F O F O",
    ("transfers:batch", "POST"): "L F O F O",
    ("transfers:apply", "GET"): "L O O O O",
    ("transfers:apply", "POST"): "L O O O O",
    ("transfers:org_picker", "GET"): "L O O O O",
    ("transfers:org_picker", "POST"): "L O O O O",
    # one organisation: read-only views the superior may open
    ("orgs:detail", "GET"): "L F H F O",
    ("orgs:detail", "POST"): "L F H F O",
    ("orgs:tree_at", "GET"): "L F H F O",
    ("orgs:tree_at", "POST"): "L F H F O",
    ("orgs:tree_children", "GET"): "L F H F O",
    ("orgs:tree_children", "POST"): "L F H F O",
    # searchable pickers (issue 14, item 4): what lies within an organisation the caller may see
    ("orgs:pick", "GET"): "L F H F O",
    ("orgs:pick", "POST"): "L F H F O",
    ("people:member_pick", "GET"): "L F H F O",
    ("people:member_pick", "POST"): "L F H F O",
    ("people:members", "GET"): "L F H F O",
    ("people:members", "POST"): "L F H F O",
    ("people:members_export", "GET"): "L F H F O",
    ("people:members_export", "POST"): "L F H F F",
    ("people:cadres", "GET"): "L F H F O",
    ("people:cadres", "POST"): "L N N N N",
    ("audit:org_events", "GET"): "L F H F O",
    ("audit:org_events", "POST"): "L N N N N",
    ("people:subordinate_members", "GET"): "L F H F F",
    ("people:subordinate_members", "POST"): "L F H F F",
    # 对标定级 (issue 17) on the 团总支: read by those who see it, self-rated by its own admin, reviewed by its
    # direct superior's (none of the personas: the 院团委's admin is not one of them)
    ("rating:start", "GET"): "L H R R R",
    ("rating:start", "POST"): "L H R R R",
    ("rating:home", "GET"): "L F H F O",
    ("rating:home", "POST"): "L F H F O",
    ("rating:org", "GET"): "L F H F O",
    ("rating:org", "POST"): "L F H F O",
    ("rating:stats", "GET"): "L F H F O",
    ("rating:stats", "POST"): "L F H F O",
    ("rating:stats_xlsx", "GET"): "L F H F O",
    ("rating:stats_xlsx", "POST"): "L F H F O",
    ("rating:round_open", "GET"): "L N N N N",
    ("rating:round_open", "POST"): "L F H F F",
    ("rating:self_rate", "GET"): "L N N N N",
    ("rating:self_rate", "POST"): "L F H F F",
    ("rating:review", "GET"): "L N N N N",
    ("rating:review", "POST"): "L F H F F",
    # 毕业生 (SPEC-2 GR): marks by any committee above a branch (the 团总支 itself is no branch: refused, shown as a
    # message); the branch pages (its flags, 毕业转出) run on the branch, where the superior two levels up reads only.
    ("graduates:start", "GET"): "L H R R R",
    ("graduates:start", "POST"): "L H R R R",
    ("graduates:home", "GET"): "L F H F O",
    ("graduates:home", "POST"): "L F H F O",
    ("graduates:mark", "GET"): "L N N N N",
    ("graduates:mark", "POST"): "L F H F R",
    ("graduates:marks_template", "GET"): "L F H F O",
    ("graduates:marks_template", "POST"): "L N N N N",
    ("graduates:marks_import_preview", "GET"): "L N N N N",
    ("graduates:marks_import_preview", "POST"): "L F H F O",
    ("graduates:marks_import_confirm", "GET"): "L N N N N",
    ("graduates:marks_import_confirm", "POST"): "L F H F O",
    ("graduates:marks_import_result", "GET"): "L F H F R",
    ("graduates:marks_import_result", "POST"): "L N N N N",
    ("graduates:branch", "GET"): "L F H F O",
    ("graduates:branch", "POST"): "L F H F O",
    ("graduates:flag", "GET"): "L N N N N",
    ("graduates:flag", "POST"): "L F H F R",
    ("graduates:transfers_template", "GET"): "L F H F F",
    ("graduates:transfers_template", "POST"): "L N N N N",
    ("graduates:transfers_import_preview", "GET"): "L N N N N",
    ("graduates:transfers_import_preview", "POST"): "L F H F F",
    ("graduates:transfers_import_confirm", "GET"): "L N N N N",
    ("graduates:transfers_import_confirm", "POST"): "L F H F F",
    ("graduates:transfers_import_result", "GET"): "L F H F F",
    ("graduates:transfers_import_result", "POST"): "L N N N N",
    ("graduates:season", "GET"): "L F H F O",
    ("graduates:season", "POST"): "L F H F O",
    ("graduates:season_xlsx", "GET"): "L F H F O",
    ("graduates:season_xlsx", "POST"): "L F H F O",
    ("graduates:cleanup", "GET"): "L F H F O",
    ("graduates:cleanup", "POST"): "L F H F O",
    ("graduates:delete", "GET"): "L N N N N",
    ("graduates:delete", "POST"): "L F H F F",
    # 团籍状态 (issue 18) on the 团总支: its lists read by those who see it; requests by a branch's admin or its
    # direct superior's (none of the personas on the 团总支); a left member's record and request are seen by the
    # branch they left (the subordinate persona) and its superiors
    ("standing:start", "GET"): "L H R R R",
    ("standing:start", "POST"): "L H R R R",
    ("standing:overage", "GET"): "L F H F O",
    ("standing:overage", "POST"): "L F H F O",
    ("standing:overage_request", "GET"): "L N N N N",
    ("standing:overage_request", "POST"): "L F H F R",
    ("standing:left", "GET"): "L F H F O",
    ("standing:left", "POST"): "L F H F O",
    ("standing:change_form", "GET"): "L F H F O",
    ("standing:change_form", "POST"): "L F H F O",
    ("standing:restore_form", "GET"): "L F H O O",
    ("standing:restore_form", "POST"): "L F H O O",
    ("standing:change", "GET"): "L F H O O",
    ("standing:change", "POST"): "L F H O O",
    # 两制 (issue 16) on the 团总支 (evaluated for the members registered directly in it): read by those who see
    # it, entered by its own admin (or its direct superior's), decided by its direct superior's (none of these)
    ("evaluation:mine", "GET"): "L O O O O",
    ("evaluation:mine", "POST"): "L R R R R",  # an appeal without a 不合格: refused with a message
    ("evaluation:home", "GET"): "L F H F O",
    ("evaluation:home", "POST"): "L F H F O",
    ("evaluation:overdue", "GET"): "L F H F O",
    ("evaluation:overdue", "POST"): "L F H F O",
    ("evaluation:branch", "GET"): "L F H F O",
    ("evaluation:branch", "POST"): "L F H F O",  # a reader's POST only shows the page
    ("evaluation:registration", "GET"): "L F H F O",
    ("evaluation:registration", "POST"): "L F H F O",
    ("evaluation:supervision", "GET"): "L F H F O",
    ("evaluation:supervision", "POST"): "L F H F O",
    ("evaluation:supervision_xlsx", "GET"): "L F H F O",
    ("evaluation:supervision_xlsx", "POST"): "L F H F O",
    ("evaluation:round_open", "GET"): "L N N N N",
    ("evaluation:round_open", "POST"): "L F H F F",
    ("evaluation:reopen", "GET"): "L N N N N",
    ("evaluation:reopen", "POST"): "L F H F F",
    ("evaluation:decide", "GET"): "L N N N N",
    ("evaluation:decide", "POST"): "L F H F F",
    # 按模板录入团员教育评议 (EV4) on the 团总支: its own admin's or its direct superior's, none of the personas
    ("evaluation:import", "GET"): "L F H F F",
    ("evaluation:import", "POST"): "L F H F F",
    ("evaluation:evaluation_template", "GET"): "L F H F F",
    ("evaluation:evaluation_template", "POST"): "L N N N N",
    ("evaluation:evaluation_import_preview", "GET"): "L N N N N",
    ("evaluation:evaluation_import_preview", "POST"): "L F H F F",
    ("evaluation:evaluation_import_confirm", "GET"): "L N N N N",
    ("evaluation:evaluation_import_confirm", "POST"): "L F H F F",
    ("evaluation:evaluation_import_result", "GET"): "L F H F F",
    ("evaluation:evaluation_import_result", "POST"): "L N N N N",
    ("progress:table", "GET"): "L F H F O",
    ("progress:table", "POST"): "L F H F O",
    ("progress:export", "GET"): "L F H F O",
    ("progress:export", "POST"): "L F H F O",
    ("progress:list", "GET"): "L F H F O",
    ("progress:list", "POST"): "L F H F O",
    ("orgs:migrations", "GET"): "L F H F F",
    ("orgs:migrations", "POST"): "L F H F F",
    ("orgs:migration_targets", "GET"): "L F H F F",
    ("orgs:migration_targets", "POST"): "L F H F F",
    # one organisation: changes, for its own admin or its direct superior only
    ("orgs:children", "GET"): "L F H F F",
    ("orgs:children", "POST"): "L F H F F",
    ("orgs:children_order", "GET"): "L F H F F",
    ("orgs:children_order", "POST"): "L F H F F",
    ("orgs:children_create", "GET"): "L F H F F",
    ("orgs:children_create", "POST"): "L F H F F",
    ("orgs:children_proposal", "GET"): "L F H F F",
    ("orgs:children_proposal", "POST"): "L N N N N",
    ("orgs:children_template", "GET"): "L F H F F",
    ("orgs:children_template", "POST"): "L N N N N",
    ("orgs:children_import_preview", "GET"): "L N N N N",
    ("orgs:children_import_preview", "POST"): "L F H F F",
    ("orgs:children_import_confirm", "GET"): "L N N N N",
    ("orgs:children_import_confirm", "POST"): "L F H F F",
    ("orgs:children_import_result", "GET"): "L F H F F",
    ("orgs:children_import_result", "POST"): "L N N N N",
    ("orgs:codes_all", "GET"): "L F H F F",
    ("orgs:codes_all", "POST"): "L F H F F",
    ("orgs:codes_state", "GET"): "L F H F F",
    ("orgs:codes_state", "POST"): "L N N N N",
    ("orgs:code_issue", "GET"): "L N N N N",
    ("orgs:code_issue", "POST"): "L F H F F",
    ("orgs:delete", "GET"): "L F H F F",
    ("orgs:delete", "POST"): "L F H F F",
    ("orgs:info", "GET"): "L F H F F",
    ("orgs:info", "POST"): "L F H F F",
    ("orgs:info_reveal", "GET"): "L N N N N",
    ("orgs:info_reveal", "POST"): "L F H F F",
    ("orgs:admins", "GET"): "L F H F F",
    ("orgs:admins", "POST"): "L F H F F",
    ("orgs:admin_change", "GET"): "L N N N N",
    ("orgs:admin_change", "POST"): "L F H F F",
    ("people:cadre_new", "GET"): "L F H F F",
    ("people:cadre_new", "POST"): "L F H F F",
    ("people:cadre_template", "GET"): "L F H F F",
    ("people:cadre_template", "POST"): "L N N N N",
    ("people:cadre_import_preview", "GET"): "L N N N N",
    ("people:cadre_import_preview", "POST"): "L F H F F",
    ("people:cadre_import_confirm", "GET"): "L N N N N",
    ("people:cadre_import_confirm", "POST"): "L F H F F",
    ("people:cadre_import_result", "GET"): "L F H F F",
    ("people:cadre_import_result", "POST"): "L N N N N",
    ("people:cadre_delete", "GET"): "L N N N N",
    ("people:cadre_delete", "POST"): "L F H F F",
    ("people:cadre_position", "GET"): "L N N N N",
    ("people:cadre_position", "POST"): "L F H F F",
    ("people:cadre_positions", "GET"): "L F H F F",
    ("people:cadre_positions", "POST"): "L N N N N",
    ("people:member_import", "GET"): "L F H F F",
    ("people:member_import", "POST"): "L F H F F",
    ("people:member_template", "GET"): "L F H F F",
    ("people:member_template", "POST"): "L N N N N",
    ("people:member_import_preview", "GET"): "L N N N N",
    ("people:member_import_preview", "POST"): "L F H F F",
    ("people:member_import_confirm", "GET"): "L N N N N",
    ("people:member_import_confirm", "POST"): "L F H F F",
    ("people:member_import_result", "GET"): "L F H F F",
    ("people:member_import_result", "POST"): "L N N N N",
    ("people:reset_codes_branch", "GET"): "L F H F F",
    ("people:reset_codes_branch", "POST"): "L F H F F",
    # one person (P9: the branch admin alone; P8: reset codes)
    ("people:member_edit", "GET"): "L F H F F",
    ("people:member_edit", "POST"): "L F H F F",
    ("people:member_delete", "GET"): "L N N N N",
    ("people:member_delete", "POST"): "L F H F F",
    ("people:member_verify", "GET"): "L N N N N",
    ("people:member_verify", "POST"): "L F H F F",
    ("people:reset_code", "GET"): "L N N N N",
    ("people:reset_code", "POST"): "L F H F F",
    ("people:reveal", "GET"): "L N N N N",
    ("people:reveal", "POST"): "L F H F F",
    # workflow objects: seen by the parties and those above them, acted on by the party whose turn it is
    ("orgs:admin_change_decide", "GET"): "L N N N N",
    ("orgs:admin_change_decide", "POST"): "L H H H H",
    ("orgs:migration_detail", "GET"): "L H H H O",
    ("orgs:migration_detail", "POST"): "L H H H O",
    ("orgs:migration_action", "GET"): "L N N N N",
    ("orgs:migration_action", "POST"): "L H H H F",
    ("workflow:todo", "GET"): "L O O O O",
    ("workflow:todo", "POST"): "L O O O O",
    ("workflow:messages", "GET"): "L O O O O",
    ("workflow:messages", "POST"): "L O O O O",
    ("workflow:messages_read_all", "GET"): "L N N N N",
    ("workflow:messages_read_all", "POST"): "L W W W W",  # the caller's own inbox only
    ("workflow:message_read", "GET"): "L N N N N",
    ("workflow:message_read", "POST"): "L H H H H",  # a message that is not the caller's
    ("workflow:process", "GET"): "L H H H O",  # the transfer's process: seen where the transfer is
    ("workflow:process", "POST"): "L H H H O",
    ("workflow:process_action", "GET"): "L N N N N",
    ("workflow:process_action", "POST"): "L H H H H",  # TEXT_PARAMS' action "add" is no engine action
    ("transfers:detail", "GET"): "L H H H O",
    ("transfers:detail", "POST"): "L H H H O",
    ("transfers:approve", "GET"): "L N N N N",
    ("transfers:approve", "POST"): "L H H H R",
    ("transfers:reject", "GET"): "L N N N N",
    ("transfers:reject", "POST"): "L H H H R",
    ("transfers:withdraw", "GET"): "L N N N N",
    ("transfers:withdraw", "POST"): "L H H H R",
    ("transfers:assign", "GET"): "L N N N N",
    ("transfers:assign", "POST"): "L H H H R",
    ("imports:job", "GET"): "L H H H H",
    ("imports:job", "POST"): "L N N N N",
    ("imports:job_status", "GET"): "L H H H H",
    ("imports:job_status", "POST"): "L N N N N",
    ("imports:job_result", "GET"): "L H H H H",
    ("imports:job_result", "POST"): "L N N N N",
    # a finished background export of the 团总支's admin: nobody else sees its page or its file
    ("exports:job", "GET"): "L H H H H",
    ("exports:job", "POST"): "L N N N N",
    ("exports:job_status", "GET"): "L H H H H",
    ("exports:job_status", "POST"): "L N N N N",
    ("exports:job_file", "GET"): "L H H H H",
    ("exports:job_file", "POST"): "L N N N N",
}

API = {
    # accounts and registration
    ("POST", "/api/v1/auth/login"): "L L L L L",
    ("POST", "/api/v1/auth/logout"): "L O O O O",
    ("POST", "/api/v1/auth/password"): "L V V V V",
    ("POST", "/api/v1/auth/reset"): "V V V V V",
    ("GET", "/api/v1/me"): "L O O O O",
    ("PATCH", "/api/v1/me"): "L W W W W",
    ("POST", "/api/v1/register/admin"): "V V V V V",
    ("POST", "/api/v1/register/member"): "W W W W W",
    ("GET", "/api/v1/register/orgs"): "O O O O O",
    # lists of the caller's own work
    ("GET", "/api/v1/admin-changes"): "L O O O O",
    ("GET", "/api/v1/transfers/todo"): "L O O O O",
    ("GET", "/api/v1/migrations"): "L O O O O",
    ("GET", "/api/v1/transfers"): "L F H F O",
    # one organisation: reading (the superior reads; nobody else sees it)
    ("GET", "/api/v1/orgs/{org_id}"): "L F H F O",
    ("GET", "/api/v1/orgs/{org_id}/children"): "L F H F O",
    ("GET", "/api/v1/orgs/{org_id}/admins"): "L F H F O",
    ("GET", "/api/v1/orgs/{org_id}/cadres"): "L F H F O",
    ("GET", "/api/v1/orgs/{org_id}/audit"): "L F H F O",
    ("GET", "/api/v1/orgs/{org_id}/members"): "L F H F O",
    ("GET", "/api/v1/orgs/{org_id}/members.xlsx"): "L F H F O",
    ("POST", "/api/v1/orgs/{org_id}/members.xlsx"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/people/search"): "L F H F O",
    ("GET", "/api/v1/orgs/{id}/rating-rounds"): "L F H F O",
    ("POST", "/api/v1/orgs/{id}/rating-rounds"): "L F H F F",
    ("GET", "/api/v1/orgs/{id}/rating/{year}"): "L F H F O",
    ("PUT", "/api/v1/orgs/{id}/rating/{year}"): "L F H F F",
    ("POST", "/api/v1/orgs/{id}/rating/{year}/review"): "L F H F F",
    ("GET", "/api/v1/orgs/{id}/rating-stats/{year}"): "L F H F O",
    ("GET", "/api/v1/orgs/{id}/rating-stats/{year}.xlsx"): "L F H F O",
    # 毕业生 (SPEC-2 GR) on the 团总支: marks only on a 团支部 (422), 毕业转出 only by a branch or its direct superior
    ("GET", "/api/v1/orgs/{id}/graduation"): "L F H F O",
    ("PATCH", "/api/v1/orgs/{id}/graduation"): "L F H F V",
    ("GET", "/api/v1/orgs/{id}/graduation/template"): "L F H F O",
    ("POST", "/api/v1/orgs/{id}/graduation/import"): "L F H F V",  # the empty template: no rows (400)
    ("GET", "/api/v1/orgs/{id}/graduation-transfers/template"): "L F H F F",
    ("POST", "/api/v1/orgs/{id}/graduation-transfers/import"): "L F H F F",
    ("GET", "/api/v1/orgs/{id}/graduation-season/{year}"): "L F H F O",
    ("GET", "/api/v1/orgs/{id}/graduation-season/{year}.xlsx"): "L F H F O",
    ("POST", "/api/v1/people/{id}/status-changes"): "L F H F F",
    ("GET", "/api/v1/orgs/{id}/overage"): "L F H F O",
    ("POST", "/api/v1/orgs/{id}/overage/status-changes"): "L F H F F",
    ("GET", "/api/v1/orgs/{id}/left-members"): "L F H F O",
    ("POST", "/api/v1/people/{id}/restore"): "L F H F F",
    ("POST", "/api/v1/orgs/{id}/evaluation-rounds"): "L F H F F",
    ("GET", "/api/v1/orgs/{id}/evaluation-rounds"): "L F H F O",
    ("GET", "/api/v1/orgs/{id}/evaluations/{year}"): "L F H F O",
    ("PUT", "/api/v1/orgs/{id}/evaluations/{year}"): "L F H F F",
    ("POST", "/api/v1/orgs/{id}/evaluations/{year}/submit"): "L F H F F",
    ("POST", "/api/v1/orgs/{id}/evaluations/{year}/reopen"): "L F H F F",
    ("GET", "/api/v1/orgs/{id}/evaluations/{year}/template"): "L F H F F",
    ("POST", "/api/v1/orgs/{id}/evaluations/{year}/import"): "L F H F F",
    ("GET", "/api/v1/me/evaluations"): "L O O O O",
    ("POST", "/api/v1/me/evaluations/{year}/appeal"): "L V V V V",  # nobody here was rated 不合格
    ("GET", "/api/v1/orgs/{id}/registrations/{year}"): "L F H F O",
    ("PUT", "/api/v1/orgs/{id}/registrations/{year}"): "L F H F F",
    ("POST", "/api/v1/orgs/{id}/registrations/{year}/submit"): "L F H F F",
    ("GET", "/api/v1/orgs/{id}/overdue-registrations"): "L F H F O",
    ("GET", "/api/v1/orgs/{id}/annual-progress/{year}"): "L F H F O",
    ("GET", "/api/v1/orgs/{id}/annual-progress/{year}.xlsx"): "L F H F O",
    ("GET", "/api/v1/orgs/{id}/progress"): "L F H F O",
    ("GET", "/api/v1/orgs/{id}/progress.xlsx"): "L F H F O",
    # one organisation: changes (its own admin or its direct superior only)
    ("PATCH", "/api/v1/orgs/{org_id}"): "L F H F F",
    ("DELETE", "/api/v1/orgs/{org_id}"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/children"): "L F H F F",
    ("GET", "/api/v1/orgs/{org_id}/children/template"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/children/import"): "L F H F F",
    ("PUT", "/api/v1/orgs/{org_id}/children/order"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/registration-code"): "L F H F F",
    ("GET", "/api/v1/orgs/{org_id}/registration-codes.xlsx"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/registration-codes.xlsx"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/admins"): "L F H F F",
    ("DELETE", "/api/v1/orgs/{org_id}/admins/{person_id}"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/cadres"): "L F H F F",
    ("GET", "/api/v1/post-offers"): "L O O O O",
    ("POST", "/api/v1/post-offers/{offer_id}/accept"): "L W F W F",
    ("POST", "/api/v1/post-offers/{offer_id}/decline"): "L W F W F",
    ("GET", "/api/v1/orgs/{org_id}/post-offers"): "L F H F O",
    ("DELETE", "/api/v1/orgs/{org_id}/post-offers/{offer_id}"): "L F H F F",
    ("PATCH", "/api/v1/orgs/{org_id}/cadres/{person_id}"): "L F H F F",
    ("DELETE", "/api/v1/orgs/{org_id}/cadres/{person_id}"): "L F H F F",
    ("GET", "/api/v1/orgs/{org_id}/people/template"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/people/import"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/members"): "L F H F F",
    ("PATCH", "/api/v1/orgs/{org_id}/members/{person_id}"): "L F H F F",
    ("DELETE", "/api/v1/orgs/{org_id}/members/{person_id}"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/members/{person_id}/verify"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/people/{person_id}/reset-code"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/people/{person_id}/reveal"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/secretary/reveal"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/reset-codes.xlsx"): "L F H F F",
    ("POST", "/api/v1/orgs/{org_id}/batch-transfers"): "L F H F F",
    ("POST", "/api/v1/transfers"): "L F H F F",
    ("POST", "/api/v1/migrations"): "L F H F F",
    # workflow objects
    ("POST", "/api/v1/admin-changes/{change_id}/approve"): "L H H H H",
    ("POST", "/api/v1/admin-changes/{change_id}/reject"): "L H H H H",
    ("GET", "/api/v1/imports/{job_id}"): "L H H H H",
    ("GET", "/api/v1/exports/{job_id}"): "L H H H H",
    ("GET", "/api/v1/exports/{job_id}/file"): "L H H H H",
    ("GET", "/api/v1/transfers/{transfer_id}"): "L H H H O",
    ("POST", "/api/v1/transfers/{transfer_id}/approve"): "L H H H F",
    ("POST", "/api/v1/transfers/{transfer_id}/reject"): "L H H H F",
    ("POST", "/api/v1/transfers/{transfer_id}/withdraw"): "L H H H F",
    ("POST", "/api/v1/transfers/{transfer_id}/assign"): "L H H H F",
    ("GET", "/api/v1/migrations/{migration_id}"): "L H H H O",
    ("POST", "/api/v1/migrations/{migration_id}/approve"): "L H H H F",
    ("POST", "/api/v1/migrations/{migration_id}/reject"): "L H H H F",
    ("POST", "/api/v1/migrations/{migration_id}/withdraw"): "L H H H F",
    # the approval engine (SPEC-2 W): the process of the pending transfer; its sender (the 4班) answers
    ("GET", "/api/v1/todo"): "L O O O O",
    ("GET", "/api/v1/processes/{process_id}"): "L H H H O",
    ("POST", "/api/v1/processes/{process_id}/approve"): "L H H H F",
    ("POST", "/api/v1/processes/{process_id}/reject"): "L H H H F",
    ("POST", "/api/v1/processes/{process_id}/return"): "L H H H F",
    ("POST", "/api/v1/processes/{process_id}/withdraw"): "L H H H F",
    ("GET", "/api/v1/messages"): "L O O O O",
    ("POST", "/api/v1/messages/{message_id}/read"): "L H H H H",  # a message that is not the caller's
}

# (table key, persona) → why the application does not yet do what §8 asks. Each
# is run as a strict xfail of its own, so the entry must go once it is fixed.
KNOWN_VIOLATIONS: dict[tuple[tuple[str, str], str], str] = {}


# --- enumerating the routes -----------------------------------------------------

SKIPPED_PREFIXES = ("operator/", "static/", "media/")


def page_routes() -> dict[str, str]:
    """{url name: route pattern} of every page, API operations excepted (they come from OpenAPI)."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, route, ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}{p.name}" if p.name else route
                if namespace == "api:" and name not in API_NON_OPERATIONS:
                    continue  # an operation: taken from the OpenAPI document
                assert name not in found or found[name] == route, f"two routes named {name}"
                found[name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


API_NON_OPERATIONS = ("api:openapi-json", "api:openapi-view", "api:api-root")


def api_operations(client: Client) -> list[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def page_keys() -> set[tuple[str, str]]:
    return {(name, method) for name in page_routes() for method in ("GET", "POST")}


def test_every_route_has_expectations(client):
    """A new page or API operation fails here until its row is added to PAGES or API above."""
    pages = page_keys()
    missing_pages = sorted(pages - PAGES.keys())
    stale_pages = sorted(PAGES.keys() - pages)
    ops = set(api_operations(client))
    missing_ops = sorted(ops - API.keys())
    stale_ops = sorted(API.keys() - ops)
    assert not (missing_pages or missing_ops), (
        "Routes with no expected outcome per persona: add them to PAGES / API in "
        f"core/tests/test_authorization_sweep.py (SPEC §8). Pages: {missing_pages}; API: {missing_ops}"
    )
    assert not (stale_pages or stale_ops), f"Rows for routes that no longer exist: {stale_pages} {stale_ops}"
    assert len(ops) >= 50 and len(pages) >= 140  # the walk itself still works


def test_api_url_patterns_all_appear_in_openapi(client):
    """Every URL the API mounts is an OpenAPI operation (or one of the schema/docs pages)."""
    ops = {path for _, path in api_operations(client)}
    for name, route in _api_url_patterns().items():
        if name in API_NON_OPERATIONS:
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        assert path in ops, f"{name} ({path}) is mounted but missing from the OpenAPI document"


def _api_url_patterns() -> dict[str, str]:
    found = {}
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and p.namespace == "api":
            for q in p.url_patterns:
                found[f"api:{q.name}"] = str(p.pattern) + str(q.pattern)
    return found


# --- the world the personas act on ---------------------------------------------


@dataclass
class Context:
    """What one persona's requests point at."""

    persona: str
    caller: Person | None
    org: Org  # an organisation two levels below the superior persona
    branch: Org  # a branch, for the member routes
    member: Person  # a member of `branch` (not the caller)
    cadre: Person  # a cadre of `org`
    admin: Person  # an admin of `org`
    candidate: Person  # a cadre of `org` who is not its admin
    other_branch: Org
    transfer: TransferRequest
    change: AdminChange
    migration: OrgMigration
    job: ImportJob
    offer: PostOffer
    files: dict
    left: Person | None = None  # a member who left (团籍状态, issue 18)
    left_change: object = None  # the approved 团籍状态变更 that made them leave


@pytest.fixture
def world(tree):
    t = tree
    t.branch2 = org_services.org_create_child(
        parent=t.general, short_name="临床医学2017级4班团支部", category="团支部", actor=t.general_admin
    )
    t.member2 = make_person_plain("另一团员", "19991010", branch=t.branch)
    t.member3 = make_person_plain("四班团员", "19991111", branch=t.branch2)
    t.deputy = make_person_plain("团总支副书记", "19970101")
    people_services.cadre_assign(person=t.deputy, org=t.general, position="副书记")
    # Pending: the 团总支's own admin asks to add an admin; its superior (the 分团委) decides.
    t.change = admin_changes.admin_change_request(org=t.general, person=t.deputy, action="add", actor=t.general_admin)
    # Pending on the sender: a member of the 4班 applies to move to 团南京市委.
    t.transfer = transfer_services.transfer_submit(actor=t.member3, person=t.member3, to_org=t.city, reason="工作调动")
    # Pending on the 分团委's release: the 团总支 applies to move under 团南京市委.
    t.migration = migration.migration_apply(org=t.general, to_parent=t.city, reason="院系调整", actor=t.general_admin)
    # Open on the member: the 团总支 offered them a post (people.post_offers).
    t.offer = post_offer_make(person=t.member, org=t.general, position="委员", actor=t.general_admin)
    # Left (issue 18): a member of the 3班 who left by 自愿退团, asked by the 3班 and approved by the 团总支.
    t.left = make_person_plain("离团团员", "19950101", branch=t.branch)
    t.left_change = standing_services.status_change_request(person=t.left, actor=t.branch_admin, status="自愿退团",
                                                            reason="本人申请")  # fmt: skip
    standing_services.status_change_approve(change=t.left_change, actor=t.general_admin)
    t.job = ImportJob.objects.create(kind="member_import", org=t.general, created_by=t.general_admin, total=0)
    # A finished export holding a real (tiny) workbook, so the PII sweep can open what it downloads.
    workbook = to_bytes(table_workbook("团员名单", [("姓名", 12)], [["普通团员"]]))
    t.export = ExportJob.objects.create(pk=t.job.pk, kind="members", org=t.general, created_by=t.general_admin,
                                        status=ExportJob.Status.DONE, filename="团员名单.xlsx",
                                        size=len(workbook))  # fmt: skip
    ExportChunk.objects.create(job=t.export, seq=0, data=workbook)
    t.files = {
        "children": batch.children_template(t.general, actor=t.general_admin),
        "people": importer.template_bytes(member_importer.IMPORTER, t.branch, actor=t.branch_admin),
        "graduation": importer.template_bytes(importer.get("graduation_marks"), t.general, actor=t.general_admin),
    }
    return t


def context_for(t, persona: str) -> Context:
    common = dict(org=t.general, branch=t.branch, member=t.member, cadre=t.general_admin, admin=t.general_admin,
                  candidate=t.deputy, other_branch=t.branch2, transfer=t.transfer, change=t.change, migration=t.migration, job=t.job, offer=t.offer,
                  files=t.files, left=t.left, left_change=t.left_change)  # fmt: skip
    if persona == "anonymous":
        return Context(persona, None, **common)
    if persona == "member":
        return Context(persona, t.member, **{**common, "member": t.member2})
    if persona == "outsider":
        return Context(persona, t.outsider, **common)
    if persona == "subordinate":
        return Context(persona, t.branch_admin, **{**common, "branch": t.general, "member": t.member3})
    if persona == "superior":
        return Context(persona, t.uni_admin, **common)
    raise AssertionError(persona)


# --- filling in routes -----------------------------------------------------------

MEMBER_PAGES = ("people:members", "people:members_export", "people:member_import", "people:member_template",
                "people:member_import_preview", "people:member_import_confirm", "people:member_import_result",
                "people:reset_codes_branch", "people:member_pick", "graduates:branch", "graduates:flag",
                "graduates:transfers_template", "graduates:transfers_import_preview",
                "graduates:transfers_import_confirm", "graduates:transfers_import_result")  # fmt: skip
PK_KIND = {"orgs:admin_change_decide": "change", "orgs:migration_detail": "migration",
           "orgs:migration_action": "migration", "standing:change": "left_change", "standing:change_form": "member",
           "standing:restore_form": "left"}  # fmt: skip
TEXT_PARAMS = {"token": "0123456789abcdef", "action": "add", "decision": "approve", "kind": "orgs", "name": "hollow",
               "year": 2026, "what": "evaluation"}  # fmt: skip


def page_url(name: str, route: str, ctx: Context) -> str:
    if name.startswith("transfers:"):
        pk = ctx.transfer.pk
    elif name.startswith("workflow:process"):
        pk = ctx.transfer.process_id
    elif name.startswith(("imports:", "exports:")):
        pk = ctx.job.pk  # the ImportJob and the ExportJob share it
    elif name in PK_KIND:
        pk = getattr(ctx, PK_KIND[name]).pk
    elif name in MEMBER_PAGES:
        pk = ctx.branch.pk
    else:
        pk = ctx.org.pk
    person = ctx.cadre if "cadre" in name else ctx.member
    values = {"pk": pk, "person_id": person.pk, "offer_id": ctx.offer.pk, **TEXT_PARAMS}
    if name.startswith("api:") or ":" not in name:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
        return "/" + path
    kwargs = {k: values[k] for k in re.findall(r"<(?:\w+:)?(\w+)>", route)}
    return reverse(name, kwargs=kwargs)


def page_post_data(ctx: Context) -> dict:
    """One form body with what the pages' forms expect, valid for an authorised caller."""
    return {
        "person_id": ctx.member.pk,
        "person": ctx.member.pk,
        "org": ctx.org.pk,
        "org_id": ctx.org.pk,
        "branch_id": ctx.other_branch.pk,
        "to_org": ctx.other_branch.pk,
        "to_parent": ctx.other_branch.pk,
        "reason": "升学",
        "short_name": "临床医学2017级9班团支部",
        "category": "团支部",
        "full_name": "共青团临床医学2017级9班支部委员会",
        "phone": "025-86862000",
        "email": "tzz@example.com",
        "position": "组织委员",
        "ids": [ctx.other_branch.pk],
        "q": "南京",
        "query": ctx.member.name,
    }


def new_person() -> dict:
    return {"name": "新录入团员", "id_number": make_id_number("20020101", serial=777), "ethnicity": "汉族", "political_status": "团员",
            "league_join_date": "2016-05", "education": "大学本科", "occupation": "学生", "mobile": "13900001111",
            "email": ""}  # fmt: skip


def api_request(method: str, path: str, ctx: Context) -> tuple[str, dict]:
    """(url, keyword arguments for Client.generic) with a body valid for an authorised caller."""
    is_member_route = any(s in path for s in ("/members", "/verify", "/reset-code", "/reveal"))
    person = ctx.admin if "/admins/" in path else ctx.cadre if "/cadres/" in path else ctx.member
    values = {
        "org_id": (ctx.branch if is_member_route else ctx.org).pk,
        "id": ctx.org.pk,
        "person_id": person.pk,
        "transfer_id": ctx.transfer.pk,
        "change_id": ctx.change.pk,
        "migration_id": ctx.migration.pk,
        "job_id": ctx.job.pk,
        "offer_id": ctx.offer.pk,
        "process_id": ctx.transfer.process_id,
        "message_id": ctx.org.pk,  # nobody's message
        "year": 2026,
    }
    if path.startswith("/api/v1/people/{id}/"):  # 团籍状态 (issue 18): a member, or for a restore one who left
        values["id"] = (ctx.left if path.endswith("/restore") else ctx.member).pk
    url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
    body = API_BODIES.get((method, path))
    if callable(body):
        body = body(ctx)
    query = API_QUERIES.get((method, path))
    if query:
        url += "?" + query(ctx)
    if isinstance(body, tuple):  # multipart upload
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

        data = {"file": SimpleUploadedFile("upload.xlsx", ctx.files[body[0]])}
        return url, {"data": encode_multipart(BOUNDARY, data), "content_type": MULTIPART_CONTENT}
    if body is None:
        return url, {}
    import json

    return url, {"data": json.dumps(body), "content_type": "application/json"}


API_QUERIES = {
    ("GET", "/api/v1/transfers"): lambda c: f"org_id={c.org.pk}",
    ("GET", "/api/v1/register/orgs"): lambda c: "q=南京",
}
API_BODIES = {
    ("POST", "/api/v1/orgs/{org_id}/members.xlsx"): {"reason": "核对团籍"},
    ("POST", "/api/v1/auth/login"): lambda c: {"id_number": c.member.id_number, "password": "Wrong#Pass2026"},
    ("POST", "/api/v1/auth/password"): {"old_password": "Wrong#Pass2026", "new_password": "Tuan#Neu2026x"},
    ("POST", "/api/v1/auth/reset"): lambda c: {
        "id_number": c.member.id_number,
        "reset_code": "ABCD2345",
        "new_password": "Tuan#Neu2026x",
    },
    ("PATCH", "/api/v1/me"): {"email": "me@example.com"},
    ("POST", "/api/v1/orgs/{id}/rating-rounds"): {"year": 2026, "starts_on": "2026-03-01", "ends_on": "2026-06-30"},
    ("PUT", "/api/v1/orgs/{id}/rating/{year}"): {
        "level": "三星",
        "reason": "组织生活规范",
        "founded_on": "2020-03-01",
        "party_applicants": 0,
    },
    ("POST", "/api/v1/orgs/{id}/rating/{year}/review"): {"level": "三星"},
    ("PATCH", "/api/v1/orgs/{id}/graduation"): {"expected": "2027-06"},
    ("POST", "/api/v1/orgs/{id}/graduation/import"): ("graduation",),
    ("POST", "/api/v1/orgs/{id}/graduation-transfers/import"): ("children",),
    ("POST", "/api/v1/orgs/{id}/evaluation-rounds"): {"year": 2026, "starts_on": "2026-03-01", "ends_on": "2026-12-30"},
    ("PUT", "/api/v1/orgs/{id}/evaluations/{year}"): {"items": []},
    ("POST", "/api/v1/orgs/{id}/evaluations/{year}/import"): ("people",),
    ("POST", "/api/v1/me/evaluations/{year}/appeal"): {"reason": "申诉理由"},
    ("PUT", "/api/v1/orgs/{id}/registrations/{year}"): {"items": []},
    ("POST", "/api/v1/people/{id}/status-changes"): {"status": "自愿退团", "reason": "本人申请"},
    ("POST", "/api/v1/orgs/{id}/overage/status-changes"): lambda c: {"person_ids": [c.member.pk]},
    ("POST", "/api/v1/people/{id}/restore"): lambda c: {"branch_id": c.other_branch.pk, "reason": "恢复团籍"},
    ("POST", "/api/v1/register/admin"): lambda c: {
        "org_id": c.org.pk,
        "position": "副书记",
        "code": "AbCd2345",
        "person": new_person(),
        "password": PASSWORD,
    },
    ("POST", "/api/v1/register/member"): lambda c: {
        "branch_id": c.other_branch.pk,
        "person": new_person(),
        "password": PASSWORD,
    },
    ("PATCH", "/api/v1/orgs/{org_id}"): {"phone": "025-86862000"},
    ("POST", "/api/v1/orgs/{org_id}/children"): {"short_name": "临床医学2017级9班团支部", "category": "团支部"},
    ("POST", "/api/v1/orgs/{org_id}/children/import"): ("children",),
    ("PUT", "/api/v1/orgs/{org_id}/children/order"): lambda c: {"ids": [c.other_branch.pk, c.branch.pk]},
    ("POST", "/api/v1/orgs/{org_id}/admins"): lambda c: {"person_id": c.candidate.pk},
    ("POST", "/api/v1/orgs/{org_id}/cadres"): lambda c: {"person": new_person(), "position": "组织委员"},
    ("PATCH", "/api/v1/orgs/{org_id}/cadres/{person_id}"): {"position": "副书记"},
    ("POST", "/api/v1/orgs/{org_id}/people/import"): ("people",),
    ("POST", "/api/v1/orgs/{org_id}/members"): lambda c: {"person": new_person(), "position": ""},
    ("PATCH", "/api/v1/orgs/{org_id}/members/{person_id}"): {"email": "member@example.com"},
    ("POST", "/api/v1/orgs/{org_id}/members/{person_id}/verify"): {"approve": True},
    ("POST", "/api/v1/orgs/{org_id}/people/search"): lambda c: {"query": c.member.name},
    ("POST", "/api/v1/orgs/{org_id}/batch-transfers"): lambda c: {
        "from_branch_id": c.branch.pk,
        "to_branch_id": c.other_branch.pk,
        "person_ids": [c.member.pk],
        "reason": "其他",
    },
    ("POST", "/api/v1/transfers"): lambda c: {
        "person_id": c.member.pk,
        "to_org_id": c.other_branch.pk,
        "reason": "升学",
    },
    ("POST", "/api/v1/transfers/{transfer_id}/reject"): {"reason": "材料不全"},
    ("POST", "/api/v1/transfers/{transfer_id}/assign"): lambda c: {"branch_id": c.other_branch.pk},
    ("POST", "/api/v1/migrations"): lambda c: {
        "org_id": c.branch.pk,
        "to_parent_id": c.other_branch.pk,
        "reason": "调整",
    },
    ("POST", "/api/v1/migrations/{migration_id}/reject"): {"reason": "不同意"},
    ("POST", "/api/v1/admin-changes/{change_id}/reject"): {"reason": "不同意"},
    ("POST", "/api/v1/processes/{process_id}/reject"): {"opinion": "不同意"},
    ("POST", "/api/v1/processes/{process_id}/return"): {"opinion": "请补充"},
}


# --- running and judging -----------------------------------------------------------

LOGIN_PATH = "/accounts/login/"


def classify(response, *, api: bool) -> str:
    code = response.status_code
    if code >= 500:
        return "5xx"
    if 200 <= code < 300:
        return "O"
    if code in (301, 302, 303, 307, 308):
        return "L" if response["Location"].startswith(LOGIN_PATH) else "R"
    if code == 401 and api:
        return "L"
    return {403: "403", 404: "H", 405: "N", 400: "V", 409: "V", 422: "V", 429: "V"}.get(code, str(code))


def accepted(outcome: str, expected: str) -> bool:
    if outcome == "5xx":
        return False
    if "F" in expected and outcome in ("403", "H"):
        return True
    if "W" in expected and outcome in ("O", "R"):
        return True
    return outcome in expected


def _snapshot_queries() -> list[tuple[str, str]]:
    queries = []
    for model in GUARDED:
        columns = [f.column for f in model._meta.concrete_fields if not (model is Person and f.name in PERSON_NOISE)]
        table = model._meta.db_table
        queries.append((model.__name__, f"SELECT {', '.join(columns)} FROM {table} ORDER BY {model._meta.pk.column}"))
    return queries


def snapshot() -> dict:
    """Every row of the guarded tables, read raw (cheap enough to take around each request)."""
    rows = {}
    with connection.cursor() as cursor:
        for name, sql in _snapshot_queries():
            cursor.execute(sql)
            rows[name] = cursor.fetchall()
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


class Caller:
    """A page client (session) and an API client (bearer token) for one persona."""

    def __init__(self, ctx: Context):
        self.page = Client(raise_request_exception=False)
        self.api = Client(raise_request_exception=False)
        if ctx.caller is not None:
            self.page.force_login(ctx.caller)
            response = Client().post(
                "/api/v1/auth/login",
                {"id_number": ctx.caller.id_number, "password": PASSWORD},
                content_type="application/json",
            )
            assert response.status_code == 200, response.content
            self.api = Client(
                raise_request_exception=False, headers={"Authorization": f"Bearer {response.json()['token']}"}
            )

    def send(self, client: Client, method: str, url: str, **kwargs):
        """One request inside a savepoint that is rolled back: nothing it writes survives it."""
        cookies = copy.deepcopy(client.cookies)
        with transaction.atomic():
            before = snapshot()
            if isinstance(kwargs.get("data"), dict):  # a page's form
                response = client.post(url, kwargs["data"])
            else:
                response = client.generic(method, url, **kwargs)
            after = snapshot()
            transaction.set_rollback(True)
        client.cookies = cookies  # a logout or a password change must not end the persona's session
        return response, changed_tables(before, after)


def run_one(caller: Caller, ctx: Context, key: tuple[str, str], routes: dict[str, str]) -> str | None:
    """None if the route answers this persona as the table says, else a description of what happened."""
    index = PERSONAS.index(ctx.persona)
    if key in PAGES:
        name, method = key
        expected = PAGES[key].split()[index]
        url = page_url(name, routes[name], ctx)
        if method == "POST":
            response, changed = caller.send(caller.page, "POST", url, data=page_post_data(ctx))
        else:
            response, changed = caller.send(caller.page, "GET", url)
        outcome = classify(response, api=False)
    else:
        method, path = key
        expected = API[key].split()[index]
        url, kwargs = api_request(method, path, ctx)
        response, changed = caller.send(caller.api, method, url, **kwargs)
        outcome = classify(response, api=True)
    problems = []
    if not accepted(outcome, expected):
        problems.append(f"expected {expected}, got {outcome} ({response.status_code})")
    if changed and "W" not in expected:
        problems.append(f"wrote to {changed} ({response.status_code})")
    leaked = [p.name for p in (ctx.member, ctx.cadre) if p.id_number in body_text(response)]
    if leaked:
        problems.append(f"shows the full ID number of {leaked}, whose records the caller does not manage (P9)")
    if problems:
        body = response.content[:200].decode(errors="replace")
        return f"{ctx.persona:11} {method:6} {url}  [{key[0] if key in PAGES else key[1]}]: {'; '.join(problems)}  {body!r}"
    return None


def body_text(response) -> str:
    """The response as text; a workbook's XML parts unzipped, so an ID number in a cell is found too."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            content = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    return content.decode(errors="replace")


def all_keys() -> list[tuple[str, str]]:
    return list(PAGES) + list(API)


@pytest.mark.parametrize("persona", PERSONAS)
def test_boundary_sweep(world, persona):
    """Every route, as this persona: the outcome §8 allows, and nothing written when refused."""
    ctx = context_for(world, persona)
    caller = Caller(ctx)
    routes = page_routes()
    failures = []
    for key in all_keys():
        if (key, persona) in KNOWN_VIOLATIONS:
            continue
        problem = run_one(caller, ctx, key, routes)
        if problem:
            failures.append(problem)
    assert not failures, f"{len(failures)} route(s) break SPEC §8 for {persona}:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("key", "persona"),
    [
        pytest.param(key, persona, marks=pytest.mark.xfail(strict=True, reason=why), id=f"{persona}-{key}")
        for (key, persona), why in KNOWN_VIOLATIONS.items()
    ],
)
def test_known_violation(world, key, persona):
    ctx = context_for(world, persona)
    problem = run_one(Caller(ctx), ctx, key, page_routes())
    assert problem is None, problem
