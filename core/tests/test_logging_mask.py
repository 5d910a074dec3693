"""No ID number or mobile in any log line; none can be in a URL (issue 8 item 3)."""

import logging

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import make_id_number
from core.logging import MaskPersonalData, mask_text


def test_mask_text_masks_id_numbers_and_mobiles_but_not_other_numbers():
    id_number = make_id_number("20000101")
    text = f"查询 {id_number} 和 11010119900307123X，手机13812345678；订单 20260101123456，编号 2017000123456789012345"
    masked = mask_text(text)
    assert id_number not in masked and "11010119900307123X" not in masked and "13812345678" not in masked
    assert id_number[:6] + "********" + id_number[-4:] in masked
    assert "138****5678" in masked
    assert "20260101123456" in masked and "2017000123456789012345" in masked  # not ID-shaped: untouched


def test_every_configured_handler_masks_personal_data(settings):
    handlers = settings.LOGGING["handlers"]
    assert all("mask_personal_data" in h.get("filters", []) for h in handlers.values())
    root = logging.getLogger()
    assert any(isinstance(f, MaskPersonalData) for h in root.handlers for f in h.filters)


def test_a_log_record_with_an_id_number_is_masked_before_anyone_sees_it(caplog):
    id_number = make_id_number("19990909")
    logger = logging.getLogger("people.some_module")
    with caplog.at_level(logging.INFO):
        logger.warning("login failed for %s from %s", id_number, "13912345678")
        try:
            raise ValueError(f"bad id {id_number}")
        except ValueError:
            logger.exception("import row failed: %s", id_number)
    assert caplog.records
    assert id_number not in caplog.text and "13912345678" not in caplog.text
    assert id_number[:6] + "********" + id_number[-4:] in caplog.text
    assert all(id_number not in (r.exc_text or "") for r in caplog.records)


def test_django_request_logging_passes_through_the_mask(client, caplog):
    """A 404 is logged by django.request; the path could only carry an ID number if a URL took one."""
    id_number = make_id_number("19980808")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/no-such-page/{id_number}/")
    assert id_number not in caplog.text


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


SUSPECT = ("id_number", "idnumber", "id_no", "idcard", "id_card", "mobile", "phone", "sfz")


def test_no_url_takes_an_id_number_or_mobile():
    for route, pattern in _patterns(get_resolver()):
        names = list(pattern.pattern.regex.groupindex)
        assert not [n for n in names if any(s in n.lower() for s in SUSPECT)], route


@pytest.mark.django_db
def test_no_api_path_takes_an_id_number_or_mobile():
    from api.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    assert not any(s in parameter["name"].lower() for s in SUSPECT), path
