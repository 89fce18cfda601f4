"""What spend tells the rest of the service.

``payments_changed`` is sent, once the transaction that wrote them has committed, with the pks of
the contracts whose payments changed (an import, an officer's match or choice): whatever keeps
figures from payments, or alerts on them, listens for it.
"""

from django.dispatch import Signal

# Sent with contract_ids: a set of contract pks.
payments_changed = Signal()
