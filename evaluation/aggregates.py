"""The supervision figures of 两制 (EV8/RG4), kept live.

Each change of a branch's evaluation or registration recounts that one branch's own figures (a few small
queries) and adds the difference to the totals of the branch and every superior, in the same transaction, so
a committee's page reads one row per direct subordinate and is current the moment the change commits. The
ancestor rows are locked in path order, so two branches changing at once never deadlock. `recount` computes
everything again from the records and reports (or fixes) where the stored figures differ.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q

from orgs.models import Org

from .models import FIGURES, EvalStats, Evaluation, Item, Level, Outcome, RegistrationItem, Stage

LEVELS = {Level.EXCELLENT: "excellent", Level.QUALIFIED: "qualified", Level.BASIC: "basic",
          Level.UNQUALIFIED: "unqualified"}  # fmt: skip
OUTCOMES = {Outcome.REGISTERED: "registered", Outcome.DEFERRED: "deferred", Outcome.REFUSED: "refused"}


def own_figures(org_id: int, year: int) -> dict:
    """One branch's own figures, from its records."""
    figures = dict.fromkeys(FIGURES, 0)
    evaluation = Evaluation.objects.filter(org_id=org_id, year=year).first()
    if evaluation is not None:
        figures["submitted"] = int(evaluation.stage in (Stage.SUBMITTED, Stage.APPROVED))
        if evaluation.stage == Stage.APPROVED:
            approved = Item.objects.filter(evaluation=evaluation, participates=True)
            figures["participants"] = approved.count()
            figures["approved"] = 1
            for level, n in approved.values_list("approved_level").annotate(n=Count("id")):
                if level in LEVELS:
                    figures[LEVELS[level]] += n
    registered = RegistrationItem.objects.filter(registration__org_id=org_id, registration__year=year,
                                                 registration__stage=Stage.APPROVED)  # fmt: skip
    for outcome, n in registered.values_list("outcome").annotate(n=Count("id")):
        figures[OUTCOMES[outcome]] += n
    return figures


def refresh(org: Org, year: int) -> None:
    """Recount `org`'s own figures and move the totals of its chain by the difference (inside the caller's
    transaction)."""
    chain = list(Org.objects.filter(path__in=org.lineage_paths()).order_by("path").values_list("id", flat=True))
    existing = set(EvalStats.objects.filter(org_id__in=chain, year=year).values_list("org_id", flat=True))
    EvalStats.objects.bulk_create([EvalStats(org_id=i, year=year) for i in chain if i not in existing],
                                  ignore_conflicts=True)  # fmt: skip
    rows = {
        s.org_id: s
        for s in EvalStats.objects.select_for_update().filter(org_id__in=chain, year=year).order_by("org_id")
    }
    mine = rows[org.pk]
    new = own_figures(org.pk, year)
    delta = {f: new[f] - mine.own.get(f, 0) for f in FIGURES}
    mine.own = new
    mine.save(update_fields=["own"])
    if any(delta.values()):
        for stats in rows.values():
            for f, d in delta.items():
                setattr(stats, f, getattr(stats, f) + d)
            stats.save(update_fields=list(FIGURES))


def _own_figures_all(year: int) -> dict[int, dict]:
    """What `own_figures` gives, for every organisation with a record of `year`, in three grouped queries (a
    province's 100,000 branches one by one would take minutes)."""
    own: dict[int, dict] = {}

    def of(org_id: int) -> dict:
        return own.setdefault(org_id, dict.fromkeys(FIGURES, 0))

    for org_id, stage in Evaluation.objects.filter(year=year).values_list("org_id", "stage"):
        figures = of(org_id)
        figures["submitted"] = int(stage in (Stage.SUBMITTED, Stage.APPROVED))
        figures["approved"] = int(stage == Stage.APPROVED)
    levels = Item.objects.filter(evaluation__year=year, evaluation__stage=Stage.APPROVED, participates=True)
    for org_id, level, n in levels.values_list("evaluation__org_id", "approved_level").annotate(n=Count("id")):
        figures = of(org_id)
        figures["participants"] += n
        if level in LEVELS:
            figures[LEVELS[level]] += n
    # A registration not yet confirmed counts nothing, but its branch has a row (as own_figures gives it).
    outcomes = RegistrationItem.objects.filter(registration__year=year).values_list(
        "registration__org_id", "registration__stage", "outcome"
    )
    for org_id, stage, outcome, n in outcomes.annotate(n=Count("id")):
        figures = of(org_id)
        if stage == Stage.APPROVED:
            figures[OUTCOMES[outcome]] += n
    return own


def _recounted(year: int) -> dict[int, dict]:
    """Every organisation's own and total figures for `year`, from the records."""
    own = _own_figures_all(year)
    by_path = dict(Org.objects.values_list("path", "id"))
    paths = {i: p for p, i in by_path.items() if i in own}
    totals: dict[str, dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for org_id, path in paths.items():
        for depth in range(1, len(path) // Org.steplen + 1):
            t = totals[path[: depth * Org.steplen]]
            for f in FIGURES:
                t[f] += own[org_id][f]
    return {by_path[p]: {"total": t, "own": own.get(by_path[p], dict.fromkeys(FIGURES, 0))}
            for p, t in totals.items() if p in by_path}  # fmt: skip


def recount(year: int, *, fix: bool = False) -> list[str]:
    """Where the stored figures of `year` differ from a recount (fixed if `fix`, in bulk)."""
    expected = _recounted(year)
    stored = {s.org_id: s for s in EvalStats.objects.filter(year=year)}
    zero = {"total": dict.fromkeys(FIGURES, 0), "own": dict.fromkeys(FIGURES, 0)}
    problems, missing, changed = [], [], []
    for org_id in set(expected) | set(stored):
        want = expected.get(org_id, zero)
        have = stored.get(org_id)
        got = {f: getattr(have, f) for f in FIGURES} if have else dict.fromkeys(FIGURES, 0)
        got_own = {f: (have.own.get(f, 0) if have else 0) for f in FIGURES}
        if got != want["total"] or got_own != want["own"]:
            problems.append(f"组织 {org_id}：存储 {got}，应为 {want['total']}")
            row = EvalStats(pk=have.pk if have else None, org_id=org_id, year=year, own=want["own"], **want["total"])
            (changed if have else missing).append(row)
    if fix:
        with transaction.atomic():
            EvalStats.objects.bulk_create(missing, batch_size=2000)
            EvalStats.objects.bulk_update(changed, ["own", *FIGURES], batch_size=2000)
    return problems


def stats_rows(org: Org, year: int) -> tuple[dict, list[tuple[Org, dict]]]:
    """The organisation's subtree totals and one row per direct subordinate (two queries)."""
    children = list(Org.objects.filter(parent=org).select_related("stats").order_by("sort_order", "path"))
    stored = {s.org_id: s for s in EvalStats.objects.filter(Q(org__in=children) | Q(org=org), year=year)}

    def figures(o: Org) -> dict:
        s = stored.get(o.pk)
        return {f: getattr(s, f) if s else 0 for f in FIGURES}

    return figures(org), [(c, figures(c)) for c in children]
