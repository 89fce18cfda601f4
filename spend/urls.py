from django.urls import path

from .views import queue

app_name = "spend"

# Each part of the app keeps its addresses together, in this order.
urlpatterns = [
    # --- The import of payment files (spend/views/importing.py) ---
    # --- The review queue (spend/views/queue.py) ---
    path("queue/", queue.queue, name="queue"),
    path("queue/contracts/", queue.contracts_queue, name="queue_contracts"),
    path("queue/sources/<int:source_pk>/payees/<str:key>/", queue.payee, name="queue_payee"),
    path(
        "queue/suppliers/<int:pk>/directorates/<int:directorate_pk>/",
        queue.supplier_contracts,
        name="queue_supplier",
    ),
    # --- Spend with no contract and contracts past their value (spend/views/gaps.py) ---
    # --- Aggregation and payment performance (spend/views/insight.py) ---
]
