"""Workflows whose actions are their module's services (a Definition for the common case)."""

from .engine import Definition


class RecordFlow(Definition):
    """A workflow whose 同意, 驳回 and 撤回 are its module's services on the process's domain record.

    Each service takes, by keyword, the record under `record_arg`, the `actor` and (approve and reject) the
    opinion under the name the service gives it, and returns the record. A subclass names them:
    `approve_with = (admin_change_approve, "opinion")`, `withdraw_with = (admin_change_withdraw,)`.
    """

    record_arg = ""  # the services' keyword for the record: admin_change_approve(change=…)
    approve_with: tuple = ()  # (service, its keyword for the opinion)
    reject_with: tuple = ()
    withdraw_with: tuple = ()  # (service,)

    def approve(self, process, *, actor, opinion):
        service, opinion_arg = self.approve_with
        return self._carry_out(service, process, actor=actor, **{opinion_arg: opinion})

    def reject(self, process, *, actor, opinion):
        service, opinion_arg = self.reject_with
        return self._carry_out(service, process, actor=actor, **{opinion_arg: opinion})

    def withdraw(self, process, *, actor):
        (service,) = self.withdraw_with
        return self._carry_out(service, process, actor=actor)

    def _carry_out(self, service, process, **arguments):
        return service(**{self.record_arg: self.record(process)}, **arguments).process
