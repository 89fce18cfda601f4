"""Which gateways a procurement needs, and the route a gateway takes, from the policy's data.

There is no ``if value > …`` here: thresholds, tiers, gateways and steps all come from the
approval policy in force (procurement.models.ApprovalPolicy). The routing preview and the
submission of a review give the same answer because both call :func:`route_for`.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from procurement.dates import long_date
from procurement.models import ApprovalPolicy, GatewayStage, PolicyStep, PolicyTier
from procurement.selectors import approval_policy_in_force


class NoPolicyInForce(Exception):
    """No approval policy was in force on the day asked about."""


@dataclass(frozen=True)
class Route:
    policy: ApprovalPolicy
    stage: str
    required: bool
    tier: PolicyTier | None
    steps: list[PolicyStep] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        """What the routing preview publishes for other systems."""
        return {
            "required": self.required,
            "tier": self.tier.code if self.tier else None,
            # Who must act at each step: any one of its roles, or each of them (a consultation).
            "steps": [
                {"name": step.name, "kind": step.kind, **step.who_acts.as_json()}
                for step in self.steps
            ],
            "policy": self.policy.effective_from.isoformat(),
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class RoutingValue:
    """The value a gateway report is routed on, and which value that is and why, for the report."""

    value: Decimal
    basis: str


def routing_value(review) -> RoutingValue:
    """The value the decision is about: Gateway 2 on the larger of the estimate and the award
    (both whole-life); Gateway 3 on the contract's whole-life value, which includes its extension
    options and so the extension asked for; the others on the estimate."""
    if review.contract_id is not None and review.project_id is None:
        contract = review.contract
        return RoutingValue(
            contract.whole_life_value,
            f"The contract's whole-life value, £{contract.whole_life_value:,.2f}, including its "
            "extension options (so the extension asked for).",
        )
    estimate = review.project.estimated_value
    award = review.award_value if review.stage == GatewayStage.G2 else None
    if award is not None and award > estimate:
        return RoutingValue(
            award,
            f"The award's whole-life value, £{award:,.2f}: it is more than the estimate of "
            f"£{estimate:,.2f}, and a decision is routed on the larger.",
        )
    if award is not None:
        return RoutingValue(
            estimate,
            f"The estimated whole-life value, £{estimate:,.2f}: the award, £{award:,.2f}, is "
            "not more, and a decision is routed on the larger.",
        )
    return RoutingValue(estimate, f"The estimated whole-life value, £{estimate:,.2f}.")


def tier_of(review, value: Decimal | None) -> str | None:
    """The tier ``value`` falls in under the report's own policy (``None``: no gateway)."""
    if value is None or review.policy is None:
        return None
    tier = review.policy.tier_for(value)
    return tier.code if tier else None


def route_is_current(review) -> bool:
    """Whether the report's value is still in the tier it was routed in (a change of value
    since may have moved it into another, or out of the gateways)."""
    return tier_of(review, review.value) == tier_of(review, routing_value(review).value)


def policy_on(day: date) -> ApprovalPolicy:
    policy = approval_policy_in_force(on=day)
    if policy is None:
        raise NoPolicyInForce(f"No approval policy was in force on {long_date(day)}.")
    return policy


def route_for(
    *,
    policy: ApprovalPolicy,
    stage: str,
    value: Decimal,
    core_service: bool = False,
    high_value_or_complex: bool = False,
    extension: bool = False,
) -> Route:
    """Whether ``stage`` is required for this procurement and, if it is, its tier and steps."""
    label = GatewayStage(stage).label
    tier = policy.tier_for(value)
    if tier is None:
        return Route(
            policy,
            stage,
            required=False,
            tier=None,
            reasons=[
                f"£{value:,.2f} is at or below £{policy.gateway_threshold:,.2f}: no gateway is "
                "required (officer delegation)."
            ],
        )
    reasons = [f"£{value:,.2f} is in Tier {tier.code} ({tier.name})."]
    rule = next((g for g in tier.gateways.all() if g.stage == stage), None)
    if rule is None or not rule.applies(
        high_value_or_complex=high_value_or_complex,
        core_service=core_service,
        extension=extension,
    ):
        condition = rule.get_condition_display().lower() if rule else "never"
        reasons.append(f"Tier {tier.code} needs {label} {condition}; this procurement does not.")
        return Route(policy, stage, required=False, tier=tier, reasons=reasons)
    reasons.append(f"Tier {tier.code} needs {label}: {rule.get_condition_display().lower()}.")
    return Route(
        policy, stage, required=True, tier=tier, steps=list(tier.steps.all()), reasons=reasons
    )


def gateways_required(
    *,
    policy: ApprovalPolicy,
    value: Decimal,
    core_service: bool = False,
    high_value_or_complex: bool = False,
    extension: bool = False,
) -> list[str]:
    """The gateways this procurement must pass, in order."""
    return [
        stage
        for stage in GatewayStage.values
        if route_for(
            policy=policy,
            stage=stage,
            value=value,
            core_service=core_service,
            high_value_or_complex=high_value_or_complex,
            extension=extension,
        ).required
    ]


def step_copy(step: PolicyStep) -> dict:
    """What a report's step takes from the policy's ``step``: its name, kind and roles, what it
    records and its target."""
    return {
        "name": step.name,
        "kind": step.kind,
        "roles": sorted(role.name for role in step.roles.all()),
        "scoped_roles": sorted(role.name for role in step.scoped_roles.all()),
        "consult_role": step.consult_role.name if step.consult_role else "",
        "refer_to_tier": step.may_refer_to.code if step.may_refer_to else "",
        "records_meeting": step.records_meeting,
        "records_key_decision": step.records_key_decision,
        "target_days": step.target_days,
    }
