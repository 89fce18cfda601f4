from django.urls import path  # noqa: F401

app_name = "spend"

# Each part of the app keeps its addresses together, in this order.
urlpatterns = [
    # --- The import of payment files (spend/views/importing.py) ---
    # --- The review queue (spend/views/queue.py) ---
    # --- Spend with no contract and contracts past their value (spend/views/gaps.py) ---
    # --- Aggregation and payment performance (spend/views/insight.py) ---
]
