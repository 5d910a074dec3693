"""待办 (every kind of open step the user's organisations or the user must handle), 消息 (the inbox), and one
process's timeline with its actions (SPEC-2 W2, W5). Thin: every change is a call of workflow.engine."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import DomainError, NotFound
from core.pagination import CappedCountPaginator

from . import engine

ACTIONS = {"approve": "通过", "reject": "不通过", "return": "退回修改", "withdraw": "撤回"}


@login_required
def todo(request):
    steps = engine.todo_steps(request.user)
    page = CappedCountPaginator(steps, 50).get_page(request.GET.get("page"))
    return render(request, "workflow/todo.html", {"page": page})


@login_required
def inbox(request):
    unread = request.GET.get("unread") == "true"
    page = CappedCountPaginator(engine.messages_for(request.user, unread=unread), 50).get_page(request.GET.get("page"))
    return render(request, "workflow/messages.html", {"page": page, "unread": unread})


@login_required
@require_POST
def message_read(request, pk: int):
    try:
        message = engine.message_read(person=request.user, message_id=pk)
    except NotFound:
        raise Http404 from None
    if message.process_id and request.POST.get("open"):
        return redirect("workflow:process", pk=message.process_id)
    return redirect("workflow:messages")


@login_required
@require_POST
def messages_read_all(request):
    engine.messages_read_all(person=request.user)
    return redirect("workflow:messages")


def _process_or_404(request, pk: int):
    try:
        return engine.process_get_for_viewer(request.user, pk)
    except NotFound:
        raise Http404 from None


@login_required
def process_detail(request, pk: int):
    process = _process_or_404(request, pk)
    definition = engine.definition_of(process)
    steps = engine.process_steps(process)
    hidden = definition.hidden_org_ids(request.user, process)
    step = next((s for s in steps if s.is_open), None)
    return render(request, "workflow/process.html", {
        "process": process, "steps": steps, "hidden": hidden, "open_step": step,
        "my_turn": step is not None and (process.started_by_id != request.user.pk or step.starter_may_act)
        and definition.may_handle(request.user, step),
        "may_withdraw": process.is_open and process.started_by_id == request.user.pk,
        "may_return": definition.may_return, "domain_url": definition.detail_url(process),
    })  # fmt: skip


@login_required
@require_POST
def process_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    process = _process_or_404(request, pk)
    try:
        engine.process_act(process=process, actor=request.user, action=action, opinion=request.POST.get("opinion", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已{ACTIONS[action]}：{process.title}。")
    return redirect("workflow:process", pk=process.pk)
