from core.exceptions import DomainError


def add_domain_errors(form, error: DomainError) -> None:
    """Show a service's refusal on the form: the summary on top, each field's message beside it."""
    form.add_error(None, error.message)
    for item in error.errors:
        field = item.get("field")
        if field in form.fields:
            form.add_error(field, item["message"])
