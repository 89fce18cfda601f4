"""Every write to a gateway review, by concern. The rules are here (and in ``gateways.rules``
and ``gateways.authority``, which these call), so no page, API call or task can skip them:

- ``projects``: the forward plan;
- ``reports``: a report in its author's hands (start, complete, attach, KPIs, submit, withdraw);
- ``routing``: its route, fixed at the first submission, and a change of value that moves it;
- ``decisions``: who acts at a step, what a decision records, and what follows it;
- ``delegation``: a role handed to a colleague for a period;
- ``weighting``: the Gateway 1 weighting and the social value measures chosen;
- ``themes``: the Council Plan themes a Gateway 1 or 2 report names, with its statements;
- ``evaluation``: the panel, the bids, their offers and scores, and moderation.

Everything the rest of the code uses is importable from here.
"""

from gateways.authority import delegations_active
from gateways.progress import OPEN_STATES, OUTCOMES_BY_KIND, PASSING, current_step

from .common import GatewayError, NotYourDecision, WeightingError
from .decisions import (
    COLLECTIVE,
    CheckedDecision,
    DecisionGiven,
    is_key_decision,
    review_decide,
    review_decision_check,
)
from .delegation import delegation_create, delegation_end
from .evaluation import (
    bid_create,
    bid_moderate,
    bid_offers_set,
    bid_score,
    evaluator_add,
    evaluator_declare,
)
from .projects import project_create, project_update
from .reports import (
    REPORT_FIELDS,
    ROLLING_NOT_EXTENDED,
    proposed_kpi_add,
    proposed_kpi_remove,
    review_attach,
    review_create,
    review_submit,
    review_update_report,
    review_withdraw,
)
from .routing import contracts_value_changed, reviews_revalue, value_changed
from .themes import THEME_STAGES, names_themes, review_set_themes, themes_missing
from .weighting import WEIGHTING_FIELDS, measures_choose, review_set_weighting

__all__ = [
    "COLLECTIVE",
    "OPEN_STATES",
    "OUTCOMES_BY_KIND",
    "PASSING",
    "REPORT_FIELDS",
    "ROLLING_NOT_EXTENDED",
    "THEME_STAGES",
    "WEIGHTING_FIELDS",
    "CheckedDecision",
    "DecisionGiven",
    "GatewayError",
    "NotYourDecision",
    "WeightingError",
    "bid_create",
    "bid_moderate",
    "bid_offers_set",
    "bid_score",
    "contracts_value_changed",
    "current_step",
    "delegation_create",
    "delegation_end",
    "delegations_active",
    "evaluator_add",
    "evaluator_declare",
    "is_key_decision",
    "measures_choose",
    "names_themes",
    "project_create",
    "project_update",
    "proposed_kpi_add",
    "proposed_kpi_remove",
    "review_attach",
    "review_create",
    "review_decide",
    "review_decision_check",
    "review_set_themes",
    "review_set_weighting",
    "review_submit",
    "review_update_report",
    "review_withdraw",
    "reviews_revalue",
    "themes_missing",
    "value_changed",
]
