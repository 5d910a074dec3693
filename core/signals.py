"""Signals that let a lower layer tell a higher one what changed, without importing it (STYLE: apps import
downward only; a lower layer that must reach a higher one publishes a signal).

progress (statistics) sits above orgs, people, imports and transfers. Model signals cover ordinary saves;
these two cover the writes that bypass them.
"""

from django.dispatch import Signal

# A bulk UPDATE or INSERT changed who counts in these organisations / which organisations these people count
# in. Keyword arguments: org_ids, person_ids (iterables of ids). progress refreshes them after commit.
counts_changed = Signal()

# A subtree moved (U4) from old_path to new_path, inside the current transaction. Keyword arguments: old_path,
# new_path. progress moves the subtree's totals from the old ancestor chain to the new one.
subtree_moved = Signal()
