"""Signals the register sends for writes that Django's own signals do not report."""

from django.dispatch import Signal

# Sent after a bulk write (the register import) changed existing contracts, with ``contracts``
# (the contracts as saved) and ``by`` (who made the change): bulk writes send no ``post_save``.
contracts_changed = Signal()
