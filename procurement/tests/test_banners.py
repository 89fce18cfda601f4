"""GOV.UK's notification banner, one component for every page that shows one."""

import pytest
from django.template import Context, Template, TemplateSyntaxError


def banner(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_an_important_banner_is_a_region_named_by_its_title():
    html = banner(
        '{% notification_banner "Important" "gap-title" %}<p>Name a manager</p>'
        "{% endnotification_banner %}"
    )
    assert html.startswith(
        '<div class="govuk-notification-banner" role="region" aria-labelledby="gap-title"'
    )
    assert '<h2 class="govuk-notification-banner__title" id="gap-title">Important</h2>' in html
    assert '<div class="govuk-notification-banner__content"><p>Name a manager</p></div>' in html


def test_a_success_banner_is_green_and_an_alert_and_the_title_may_be_a_value():
    html = banner(
        '{% notification_banner title "done-title" level %}<p>Saved</p>'
        "{% endnotification_banner %}",
        title="Success <b>",
        level="success",
    )
    assert (
        'class="govuk-notification-banner govuk-notification-banner--success" role="alert"' in html
    )
    assert ">Success &lt;b&gt;</h2>" in html
    other = banner(
        '{% notification_banner "Important" "x" level %}{% endnotification_banner %}',
        level="error",
    )
    assert 'role="region"' in other
    assert "--success" not in other


def test_the_banner_needs_its_title_and_the_titles_id():
    with pytest.raises(TemplateSyntaxError, match="takes a title, the title's id"):
        Template('{% notification_banner "Important" %}{% endnotification_banner %}')
