"""按模板录入团员教育评议 (SPEC-2 EV4): the page that shows the import card of a branch's evaluation.

The template, preview, confirmation and result are the import framework's pages (imports.views, kind
evaluation_import, under evaluation.urls); the year is the current round's (evaluation.importer.year_of).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from imports import importer
from imports.views import card_context, target
from orgs.models import Org

from . import services
from .importer import KIND, year_of


def page(request, branch: Org, **context):
    year = year_of(branch)
    view = services.evaluation_view(branch=branch, year=year)
    context = card_context(request, importer.get(KIND), branch, year=year, view=view, **context)
    return render(request, "evaluation/import.html", context)


@login_required
def import_page(request, pk: int):
    return page(request, target(request, importer.get(KIND), pk))
