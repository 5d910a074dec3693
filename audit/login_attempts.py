"""django-axes keeps no form data of failed logins (issue 12, item 2).

axes stores each failed attempt's GET and POST data, masking only the fields named in
AXES_SENSITIVE_PARAMETERS: a page login used to leave `id_number=<full ID number>` in
axes_accessattempt.post_data. The settings now name every field of our forms, and, because a client
chooses its own field names, this receiver empties both columns before any attempt is saved (on
creation and on each repeated failure). Throttling needs only the keyed-hash username, the address
and the count; migration audit 0004 emptied what earlier versions stored.
"""

from axes.models import AccessAttempt
from django.db.models.signals import pre_save


def drop_form_data(sender, instance: AccessAttempt, **kwargs) -> None:
    instance.get_data = ""
    instance.post_data = ""


def connect() -> None:
    pre_save.connect(drop_form_data, sender=AccessAttempt, dispatch_uid="audit.login_attempts.drop_form_data")
