"""Signals the register sends for writes that Django's own signals do not report."""

from django.dispatch import Signal

# Sent after a bulk write (the register import) changed existing contracts, with ``contracts``
# (the contracts as saved) and ``by`` (who made the change): bulk writes send no ``post_save``.
contracts_changed = Signal()

# Sent after a bulk write created or changed contracts (the register import, demo seeding), with
# no ``contracts``: what a receiver keeps about them must be worked out afresh.
contracts_written_in_bulk = Signal()
