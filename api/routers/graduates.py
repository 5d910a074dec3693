"""毕业生 (SPEC-2 GR, API.md's graduates table)."""

from ninja import Router

router = Router(tags=["毕业生"])
