"""The pages of the lower domain apps: organisations (web.orgs), people (web.people) and the audit trail
(web.audit).

They live here, above every app, because a page shows more than its own app holds: an organisation's
management centre shows its processes, imports and progress, a member list shows transfers. The apps
they read stay below (core → … → orgs → people → workflow → imports → transfers …) and never import a
page. Views stay thin: they fetch through each app's access module and call its services. Higher apps
(workflow, imports, transfers, progress, accounts) keep their own pages, which only read apps below them.
"""
