from django.urls import path

from .views import gaps

app_name = "spend"

# Each part of the app keeps its addresses together, in this order.
urlpatterns = [
    # --- The import of payment files (spend/views/importing.py) ---
    # --- The review queue (spend/views/queue.py) ---
    # --- Spend with no contract and contracts past their value (spend/views/gaps.py) ---
    path("", gaps.index, name="index"),
    path("no-contract/", gaps.no_contract, name="no_contract"),
    path("no-contract/explain/", gaps.explain, name="explain"),
    path("no-contract/spend-with-no-contract.csv", gaps.no_contract_csv, name="no_contract_csv"),
    path("no-contract/spend-with-no-contract.xlsx", gaps.no_contract_xlsx, name="no_contract_xlsx"),
    path("over-value/", gaps.over_value, name="over_value"),
    path("over-value/contracts-past-their-value.csv", gaps.over_value_csv, name="over_value_csv"),
    path(
        "over-value/contracts-past-their-value.xlsx", gaps.over_value_xlsx, name="over_value_xlsx"
    ),
    # --- Aggregation and payment performance (spend/views/insight.py) ---
]
