from django.apps import AppConfig


class OrgChangesConfig(AppConfig):
    """Changes to an organisation that involve its people and the approval engine: 管理员变更 (C6),
    组织迁移 (O2/U1), 删除组织 (U2) and 任职确认 (posts offered to people on record, issue 12). Their models
    stay in orgs and people; the rules that need people, transfers and processes live here, above those
    apps, so orgs and people never import them."""

    name = "orgchanges"
    verbose_name = "组织变更"

    def ready(self):
        # Registers the 管理员变更, 组织迁移 and 任职确认 workflows with the approval engine.
        from people import post_offers as offers

        from . import admin_changes, migration, post_offers  # noqa: F401

        # people announces its offers; the engine's side (above people) opens and ends their processes.
        offers.offer_opening.connect(post_offers.offer_opening, dispatch_uid="orgchanges_offer_opening")
        offers.offer_changed.connect(post_offers.offer_changed, dispatch_uid="orgchanges_offer_changed")
        offers.offers_superseded.connect(post_offers.offers_superseded, dispatch_uid="orgchanges_offers_superseded")
