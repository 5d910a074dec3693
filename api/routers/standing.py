"""团籍状态 (SPEC-2 ST, API.md's 团籍 status table)."""

from ninja import Router

router = Router(tags=["团籍状态"])
