"""People a picker may offer (issue 14, item 4): the members of one branch the actor may see, by part
of the name, each with the masked ID number (people.queries) that tells namesakes apart."""

from django.db.models import QuerySet

from core.normalize import clean_text
from core.picker import Choice
from orgs import access as org_access
from orgs.models import Org

from . import queries
from .models import Person


def pickable_members(actor, branch: Org, query: str = "") -> QuerySet[Person]:
    """The branch's members whose name contains `query`; nobody unless the actor may see the branch."""
    if branch is None or not branch.is_branch or not org_access.can_view(actor, branch):
        return Person.objects.none()
    qs = Person.objects.filter(branch=branch)
    query = clean_text(query)
    if query:
        qs = qs.filter(name__contains=query)
    return qs.order_by("name", "pk")


def member_choice(person: Person) -> Choice:
    """Name and masked ID number, whoever picks (a picker never shows a number in full)."""
    return Choice(id=person.pk, label=person.name, detail=queries.masked_numbers(person).id_number)
