"""两制 (SPEC-2 EV, RG, API.md's 两制 table)."""

from ninja import Router

router = Router(tags=["两制"])
