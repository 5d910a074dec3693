"""No ID number or mobile in any log line (issue 8, item 3).

`MaskPersonalData` is a logging filter installed on every handler in
settings.LOGGING. It renders the record's message (and its traceback,
whose frames may show local values), masks every run of 17 digits plus a
digit or X that stands alone (an ID number: 320102********1234) and every
11-digit number starting 1[3-9] (a mobile: 138****5678), and leaves the
rendered text in the record, so every handler after it sees the masked
line. Masking a few innocent long numbers is the price of never logging a
real one.
"""

import logging
import re

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_text(text: str) -> str:
    text = ID_NUMBER.sub(r"\1********\2", text)
    return MOBILE.sub(r"\1****\2", text)


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
