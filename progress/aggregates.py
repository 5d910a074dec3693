"""Keeping `OrgStats` equal to a full recount (SPEC S5: current within seconds).

The one writer is `stats_refresh(org_ids)`: it recomputes the *own* figures of
the given organisations from scratch (a few indexed GROUP BY queries) and adds
the differences to the subtree totals of each organisation and its ancestors
(one UPDATE per distinct difference, over `org_id IN (...)`). Because it works
on differences against the stored own figures, running it twice, late, or for
organisations that did not change is harmless, and the invariant

    totals(X) = sum of own figures stored in X's subtree

holds after every call. Two structural changes keep it too: removing an
organisation locks and notes its own figures in the deleting transaction
(`stats_remove`, from a pre_delete signal) and takes them out of its former
ancestors after commit; moving a subtree moves its totals from the old
ancestor chain to the new inside the moving transaction
(`stats_subtree_moved`, from orgchanges.migration). Writers of totals take one lock
(`_serialize`), so they never interleave; each is a few milliseconds.

Who calls the refresh: `progress.signals` records which organisations a
saved/deleted Person, Cadre or Org touches and refreshes them right after the
transaction commits (`transaction.on_commit`); bulk writes that bypass signals
call `stats_mark_dirty` (member import, batch transfer, deletion's moved
members). A refresh that fails after commit leaves its ids in StatsBacklog for
the scheduler (core.scheduler). `stats_recount` recomputes everything.
"""

import logging
import threading
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from orgs.models import Org
from people.models import Cadre, Person

from . import standards
from .models import OWN_FIELDS, TOTALS, OrgStats, StatsBacklog

logger = logging.getLogger(__name__)
CHUNK = 500
ADVISORY_LOCK_KEY = 6_060_606  # any constant shared by every writer of OrgStats


def _serialize() -> None:
    """One writer at a time. SQLite's IMMEDIATE transactions already are; PostgreSQL takes an advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _chunks(ids):
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _ancestor_paths(path: str) -> list[str]:
    step = Org.steplen
    return [path[:i] for i in range(step, len(path), step)]


# --- own figures -------------------------------------------------------------


def own_figures(org_ids=None) -> dict[int, dict]:
    """{org_id: {own field: value}} computed from scratch, for `org_ids` or every organisation.

    Also returns each organisation's path under the key "path".
    """
    if org_ids is None:
        return _own_figures_for(None)
    result: dict[int, dict] = {}
    for chunk in _chunks(sorted(set(org_ids))):
        result.update(_own_figures_for(chunk))
    return result


def _own_figures_for(ids: list[int] | None) -> dict[int, dict]:
    def scoped(qs, field):
        return qs if ids is None else qs.filter(**{f"{field}__in": ids})

    orgs = list(scoped(Org.objects.all(), "id").values(*standards.ORG_VALUES))
    complete_cadres = dict(
        scoped(Cadre.objects.filter(person__complete=True), "org_id")
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    members = {
        r["branch_id"]: (r["n"], r["c"])
        for r in scoped(Person.objects.exclude(branch_id=None), "branch_id")
        .values("branch_id")
        .annotate(n=Count("id"), c=Count("id", filter=Q(complete=True)))
    }
    # S3 counts a branch's complete cadres too, once each: those not already its members.
    outside_cadres = _outside_cadres(ids)
    result = {}
    for row in orgs:
        category = row["category"]
        n_members, n_complete = members.get(row["id"], (0, 0))
        cadres = complete_cadres.get(row["id"], 0)
        entered = n_complete + outside_cadres.get(row["id"], 0) if standards.is_branch(category) else 0
        counts = standards.counts_as_org(category)
        result[row["id"]] = {
            "path": row["path"],
            "own_orgs": int(counts),
            "own_orgs_complete": int(counts and standards.org_info_complete_values(row)),
            "own_cadre_orgs": int(standards.is_committee(category)),
            "own_cadre_orgs_complete": int(standards.cadre_entry_complete(category, cadres)),
            "own_branches": int(standards.is_branch(category)),
            "own_branches_complete": int(standards.member_entry_complete(category, entered)),
            "own_members": n_members,
            "own_members_complete": n_complete,
            "cadre_complete_count": cadres,
            "entered_count": entered,
        }
    return result


def _outside_cadres(ids: list[int] | None) -> dict[int, int]:
    """Complete cadres of each 团支部 who are not its members (S3 counts them too)."""
    qs = Cadre.objects.filter(person__complete=True, org__category=standards.Category.BRANCH).filter(
        Q(person__branch_id__isnull=True) | ~Q(person__branch_id=F("org_id"))
    )
    if ids is not None:
        qs = qs.filter(org_id__in=ids)
    return dict(qs.values("org_id").annotate(n=Count("id")).values_list("org_id", "n"))


# --- incremental maintenance ----------------------------------------------------


def stats_refresh(org_ids) -> None:
    """Recompute the own figures of `org_ids` and carry the differences up the tree (see the module docstring)."""
    ids = sorted({i for i in org_ids if i is not None})
    if not ids:
        return
    # Rows for organisations new to the statistics, zeros (they add nothing), before taking the lock:
    # the insert's foreign-key check may wait for a transaction holding the organisation's row.
    existing = []
    for chunk in _chunks(ids):
        existing += Org.objects.filter(pk__in=chunk).values_list("id", flat=True)
    try:
        with transaction.atomic():
            OrgStats.objects.bulk_create([OrgStats(org_id=i) for i in existing], ignore_conflicts=True)
    except IntegrityError:
        pass  # an organisation deleted meanwhile needs no row
    with transaction.atomic():
        _serialize()
        new = own_figures(ids)
        if not new:
            return  # all deleted meanwhile: their removal is applied on its own
        ids = sorted(new)
        prefixes = {p for i in ids for p in _ancestor_paths(new[i]["path"])}
        ancestors = {}
        for chunk in _chunks(sorted(prefixes)):
            ancestors.update(Org.objects.filter(path__in=chunk).values_list("path", "id"))
        old = {}
        for chunk in _chunks(ids):
            # FOR UPDATE: waits for a deletion that captured a row (see stats_remove); a deleted row is skipped.
            rows = OrgStats.objects.select_for_update().filter(org_id__in=chunk).order_by("org_id").only(*OWN_FIELDS)
            old.update({s.org_id: s for s in rows})
        deltas: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TOTALS, 0))
        for i in ids:
            if i not in old:
                continue  # deleted by a transaction that committed while this one waited
            figures, stored = new[i], old[i]
            changed = {f: figures[f] for f in OWN_FIELDS if figures[f] != getattr(stored, f)}
            if not changed:
                continue
            OrgStats.objects.filter(org_id=i).update(**changed, updated_at=timezone.now())
            delta = {total: figures[own] - getattr(stored, own) for total, own in TOTALS.items()}
            if any(delta.values()):
                for target in [i, *(ancestors[p] for p in _ancestor_paths(figures["path"]) if p in ancestors)]:
                    for k, v in delta.items():
                        deltas[target][k] += v
        _apply(deltas)


def _apply(deltas: dict[int, dict[str, int]]) -> None:
    """Add each organisation's difference to its totals: one UPDATE per distinct difference."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for org_id, delta in deltas.items():
        key = tuple(sorted((k, v) for k, v in delta.items() if v))
        if key:
            groups[key].append(org_id)
    now = timezone.now()
    for key, org_ids in groups.items():
        for chunk in _chunks(sorted(org_ids)):
            OrgStats.objects.filter(org_id__in=chunk).update(**{k: F(k) + v for k, v in key}, updated_at=now)


def stats_remove(org: Org) -> None:
    """An organisation is being deleted: note its own figures; its ancestors lose them after commit.

    The row is locked (not the writers' lock: this runs inside the deleting
    transaction, which holds organisation rows a refresh may wait for), so no
    refresh changes it before it disappears with the organisation.
    """
    stored = OrgStats.objects.select_for_update().filter(org_id=org.pk).only(*OWN_FIELDS).first()
    if stored is None:
        return
    delta = {total: -getattr(stored, own) for total, own in TOTALS.items()}
    if not any(delta.values()):
        return
    ancestor_ids = list(Org.objects.filter(path__in=_ancestor_paths(org.path)).values_list("id", flat=True))
    _pending().removed.append((org.pk, ancestor_ids, delta))
    transaction.on_commit(_flush_pending, robust=True)


def stats_apply_removed(removed) -> None:
    """Take deleted organisations' own figures out of their (former) ancestors' totals."""
    with transaction.atomic():
        _serialize()
        still_there = set(Org.objects.filter(pk__in=[org_id for org_id, _, _ in removed]).values_list("id", flat=True))
        deltas: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TOTALS, 0))
        for org_id, ancestor_ids, delta in removed:
            if org_id in still_there:
                continue  # the deletion was rolled back with its savepoint
            for a in ancestor_ids:
                for k, v in delta.items():
                    deltas[a][k] += v
        _apply(deltas)


def stats_subtree_moved(*, old_path: str, new_path: str) -> None:
    """A subtree moved from `old_path` to `new_path` (already updated, same transaction): move its totals."""
    _serialize()
    sums = OrgStats.objects.filter(Org.subtree_q(new_path, prefix="org__")).aggregate(
        **{total: Sum(own) for total, own in TOTALS.items()}
    )
    moved = {k: v or 0 for k, v in sums.items()}
    old_ids = Org.objects.filter(path__in=_ancestor_paths(old_path)).values_list("id", flat=True)
    new_ids = Org.objects.filter(path__in=_ancestor_paths(new_path)).values_list("id", flat=True)
    deltas: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TOTALS, 0))
    for a in old_ids:
        for k, v in moved.items():
            deltas[a][k] -= v
    for a in new_ids:
        for k, v in moved.items():
            deltas[a][k] += v
    _apply(deltas)


# --- after commit ----------------------------------------------------------------

_local = threading.local()


class _Pending:
    def __init__(self):
        self.org_ids: set[int] = set()
        self.person_ids: set[int] = set()
        self.removed: list[tuple[int, list[int], dict]] = []


def _pending() -> _Pending:
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = _Pending()
    return pending


def _flush_pending() -> None:
    pending = getattr(_local, "pending", None)
    if pending is None or not (pending.org_ids or pending.person_ids or pending.removed):
        return  # an earlier hook of the same commit did it
    _local.pending = None
    stats_flush(org_ids=pending.org_ids, person_ids=pending.person_ids, removed=pending.removed)


def stats_mark_dirty(org_ids=(), person_ids=()) -> None:
    """Refresh these organisations (and those these people count in) once the current transaction commits.

    Outside a transaction the refresh runs at once. The ids of one transaction
    are refreshed together by its first hook; ids left over by a rolled-back
    transaction ride along with the next one (refreshing more is harmless).
    """
    pending = _pending()
    pending.org_ids |= {i for i in org_ids if i is not None}
    pending.person_ids |= {i for i in person_ids if i is not None}
    transaction.on_commit(_flush_pending, robust=True)


def stats_flush(*, org_ids=(), person_ids=(), removed=()) -> None:
    """Refresh after commit; on failure keep the ids for the scheduler rather than lose them."""
    ids = set(org_ids)
    if removed:
        try:
            stats_apply_removed(removed)
        except Exception:
            logger.exception("progress statistics: applying a deletion failed; a full recount is due")
            StatsBacklog.objects.create(org_id=None)
    try:
        if person_ids:
            for chunk in _chunks(sorted(person_ids)):
                ids |= set(Cadre.objects.filter(person_id__in=chunk).values_list("org_id", flat=True))
                ids |= set(Org.objects.filter(secretary_id__in=chunk).values_list("id", flat=True))
        stats_refresh(ids)
    except Exception:
        logger.exception("progress statistics refresh failed; left for the scheduler")
        rows = [StatsBacklog(org_id=i) for i in ids] if ids else [StatsBacklog(org_id=None)]
        StatsBacklog.objects.bulk_create(rows)


def stats_backlog_run() -> int:
    """Scheduler job: retry refreshes that failed after commit. Returns how many ids were handled."""
    rows = list(StatsBacklog.objects.values_list("id", "org_id"))
    if not rows:
        return 0
    if any(org_id is None for _, org_id in rows):
        stats_recount(fix=True)
    else:
        stats_refresh({org_id for _, org_id in rows})
    StatsBacklog.objects.filter(id__in=[pk for pk, _ in rows]).delete()
    return len(rows)


def stats_as_of():
    """The figures include every change committed before this time."""
    oldest = StatsBacklog.objects.order_by("created_at").values_list("created_at", flat=True).first()
    return oldest or timezone.now()


# --- full recount ------------------------------------------------------------------


def full_figures() -> dict[int, dict]:
    """Own figures and subtree totals of every organisation, from scratch."""
    figures = own_figures()
    by_path = {f["path"]: f for f in figures.values()}
    for f in figures.values():
        for total in TOTALS:
            f[total] = 0
    for f in figures.values():
        for target_path in (*_ancestor_paths(f["path"]), f["path"]):
            target = by_path.get(target_path)
            if target is not None:
                for total, own in TOTALS.items():
                    target[total] += f[own]
    return figures


STORED_FIELDS = (*OWN_FIELDS, *TOTALS)


def stats_recount(*, fix: bool = False) -> list[dict]:
    """Recompute every figure and compare with OrgStats; with `fix`, store the recount.

    Returns the differences: [{org_id, field, stored, counted}] (field "row" when a row is missing or extra).
    """
    with transaction.atomic():
        if fix:
            _serialize()
        figures = full_figures()
        stored = {s["org_id"]: s for s in OrgStats.objects.values("org_id", *STORED_FIELDS)}
        diffs = []
        missing, changed = [], []
        for org_id, f in figures.items():
            s = stored.get(org_id)
            if s is None:
                diffs.append({"org_id": org_id, "field": "row", "stored": None, "counted": "present"})
                missing.append(org_id)
                continue
            row_diffs = [
                {"org_id": org_id, "field": k, "stored": s[k], "counted": f[k]} for k in STORED_FIELDS if s[k] != f[k]
            ]
            if row_diffs:
                diffs.extend(row_diffs)
                changed.append(org_id)
        # Rows without an organisation cannot exist (CASCADE), but say so if they ever do.
        for org_id in stored.keys() - figures.keys():
            diffs.append({"org_id": org_id, "field": "row", "stored": "present", "counted": None})
        if fix and diffs:
            now = timezone.now()

            def row(org_id):
                f = figures[org_id]
                return OrgStats(org_id=org_id, updated_at=now, **{k: f[k] for k in STORED_FIELDS})

            OrgStats.objects.filter(org_id__in=list(stored.keys() - figures.keys())).delete()
            OrgStats.objects.bulk_create([row(i) for i in missing], batch_size=1000)
            OrgStats.objects.bulk_update([row(i) for i in changed], [*STORED_FIELDS, "updated_at"], batch_size=1000)
        return diffs
