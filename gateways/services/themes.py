"""The Council Plan themes a report names (RBKC §4d): a Gateway 1 strategy says how the
procurement addresses each theme relevant to it; a Gateway 2 report what the award will deliver
against it. Only the author names them, while the report is a draft or returned; only themes of
the current plan; and a report goes to its approvers only with a statement for each it names."""

from collections.abc import Mapping

from django.db import transaction

from gateways.models import GatewayReview, ThemeStatement
from gateways.rules import is_author, is_editable, may_edit_report
from procurement.history import save_with_history
from procurement.models import GatewayStage, PlanTheme, User

from .common import GatewayError, locked, require_rule

# The reports that name themes, and what each says of them.
THEME_STAGES = {
    GatewayStage.G1: "how the procurement addresses",
    GatewayStage.G2: "what the award will deliver against",
}
NOT_A_THEME_STAGE = (
    "Council Plan themes are named in a procurement's Gateway 1 strategy or Gateway 2 report."
)


def names_themes(review: GatewayReview) -> bool:
    """The report is a procurement's Gateway 1 strategy or Gateway 2 award."""
    return review.stage in THEME_STAGES and review.project_id is not None


def _retired(theme: PlanTheme) -> str:
    return f"'{theme}' is no longer a theme of the council's plan: remove it from the report"


@transaction.atomic
def review_set_themes(
    *, review: GatewayReview, statements: Mapping[PlanTheme, str], by: User
) -> list[ThemeStatement]:
    """The author names the Council Plan themes the report addresses, each with its statement
    (which may wait while the report is a draft); themes no longer named are removed."""
    review = locked(review)
    require_rule(
        may_edit_report,
        by,
        review,
        (is_author, "Only the report's author can change its Council Plan themes."),
        (is_editable, "The themes can be changed only while the report is a draft or returned."),
    )
    if not names_themes(review):
        raise GatewayError(NOT_A_THEME_STAGE)
    for theme in statements:
        if not PlanTheme.objects.filter(pk=theme.pk, is_active=True).exists():
            raise GatewayError(f"{_retired(theme)}.", field=f"theme_{theme.pk}")
    existing = {s.theme_id: s for s in review.theme_statements.all()}
    wanted = {theme.pk: text.strip() for theme, text in statements.items()}
    for theme_id, named in existing.items():
        if theme_id not in wanted:
            named._history_user = by
            named._change_reason = "Council Plan theme no longer named in the report"
            named.delete()
    saved = []
    for theme_id, text in wanted.items():
        named = existing.get(theme_id) or ThemeStatement(review=review, theme_id=theme_id)
        if named.pk is None or named.statement != text:
            named.statement = text
            reason = "Council Plan theme named" if named.pk is None else "Statement changed"
            save_with_history(named, by=by, reason=reason)
        saved.append(named)
    return saved


def themes_missing(review: GatewayReview) -> list[str]:
    """Why the report's themes stop it going to its approvers: a theme named without its
    statement, or one the council's plan no longer has."""
    if not names_themes(review):
        return []
    what = THEME_STAGES[review.stage]
    problems = []
    for named in review.theme_statements.select_related("theme"):
        if not named.theme.is_active:
            problems.append(_retired(named.theme))
        elif not named.statement.strip():
            problems.append(f"say {what} '{named.theme}', or stop naming it")
    return problems


def themes_check(review: GatewayReview) -> None:
    """Refuse the submission of a report whose themes are not complete."""
    problems = themes_missing(review)
    if problems:
        raise GatewayError(f"Complete the Council Plan themes: {'; '.join(problems)}.")
