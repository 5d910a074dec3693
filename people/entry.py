"""One entry point for 录入 templates and imports, whichever kind of organisation (API.md
GET /orgs/{id}/people/template, POST /orgs/{id}/people/import).

A committee (团的领导机关, 团委, 团工委, 团总支) gets the 本级团干部 template
(people.cadres); a branch gets the member template (P5, P6), and a committee
given `branch_id` imports members into that direct subordinate branch
(P5-1) (people.member_import).
"""

from imports.report import ImportReport
from orgs.models import Org

from . import cadres, member_import


def people_template(org: Org, *, actor) -> tuple[bytes, str]:
    """(xlsx bytes, file name) of the template that belongs to `org`."""
    if org.is_branch:
        member_import.require_member_importer(actor, org)
        return member_import.member_template(org), f"{member_import.TEMPLATE_NAME}_{org.short_name}.xlsx"
    cadres.require_cadre_manager(actor, org)
    return cadres.cadre_template(org), f"{cadres.TEMPLATE_NAME}_{org.short_name}.xlsx"


def people_import(*, org: Org, file, actor, dry_run: bool, branch_id: int | None = None) -> ImportReport:
    if org.is_branch or branch_id is not None:
        branch = member_import.member_target(org=org, branch_id=branch_id, actor=actor)
        return member_import.member_import(branch=branch, file_or_rows=file, actor=actor, dry_run=dry_run)
    return cadres.cadre_import(org=org, file=file, actor=actor, dry_run=dry_run)
