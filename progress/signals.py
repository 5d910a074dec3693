"""Which organisations' progress figures a saved or deleted row touches.

Signals rather than a call in each service: every path that saves a Person,
Cadre or Org through the ORM (forms, API, imports row by row, registration,
transfers, the Django admin) is covered, including ones written later. The
handlers only record ids (no queries, except on deletion); the refresh runs
after commit. Bulk writes that bypass model signals send core.signals.counts_changed, and a subtree
moved by 组织迁移 sends core.signals.subtree_moved (the lower apps never import progress).
"""

from django.db.models.signals import post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver

from core.signals import counts_changed, subtree_moved
from orgs.models import Org
from people.models import Cadre, Person

from .aggregates import stats_mark_dirty, stats_remove, stats_subtree_moved

# A save that touches none of these cannot change any figure (S1: account state and mobile; S4: P10 fields).
PERSON_FIELDS_THAT_COUNT = frozenset(
    {"branch", "branch_id", "account_state", "mobile", "mobile_hash", "complete",
     "name", "id_number", "ethnicity", "political_status", "league_join_date", "education", "occupation"}
)  # fmt: skip


@receiver(post_init, sender=Person)
def person_loaded(sender, instance, **kwargs):
    instance._progress_branch_id = instance.__dict__.get("branch_id")


@receiver(post_save, sender=Person)
def person_saved(sender, instance, created, update_fields=None, **kwargs):
    if update_fields is not None and not (set(update_fields) & PERSON_FIELDS_THAT_COUNT):
        return
    before = getattr(instance, "_progress_branch_id", None)
    stats_mark_dirty(org_ids={before, instance.branch_id}, person_ids={instance.pk})
    instance._progress_branch_id = instance.branch_id


@receiver(pre_delete, sender=Person)
def person_deleting(sender, instance, **kwargs):
    # The secretary link is cleared by an UPDATE (SET_NULL) that sends no signal: note those orgs now.
    secretary_of = set(Org.objects.filter(secretary_id=instance.pk).values_list("id", flat=True))
    stats_mark_dirty(org_ids={instance.branch_id, *secretary_of})


@receiver(post_save, sender=Cadre)
@receiver(post_delete, sender=Cadre)
def cadre_changed(sender, instance, **kwargs):
    stats_mark_dirty(org_ids={instance.org_id})


@receiver(post_save, sender=Org)
def org_saved(sender, instance, **kwargs):
    stats_mark_dirty(org_ids={instance.pk})


@receiver(pre_delete, sender=Org)
def org_deleting(sender, instance, **kwargs):
    stats_remove(instance)


@receiver(counts_changed)
def counts_changed_in_bulk(sender, org_ids=(), person_ids=(), **kwargs):
    stats_mark_dirty(org_ids=org_ids, person_ids=person_ids)


@receiver(subtree_moved)
def subtree_moved_totals(sender, old_path, new_path, **kwargs):
    stats_subtree_moved(old_path=old_path, new_path=new_path)
