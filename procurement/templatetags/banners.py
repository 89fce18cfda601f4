"""GOV.UK's notification banner, written once: the service's messages, a report's outcome, a
contract's missing officers and a PDF that cannot be drawn all use it.

``{% notification_banner "Important" "pdf-unavailable-title" %}…{% endnotification_banner %}``;
a third argument of ``"success"`` (or a value that is "success", such as a message's level) gives
the green banner, announced as an alert.
https://design-system.service.gov.uk/components/notification-banner/
"""

from django import template
from django.utils.html import format_html

register = template.Library()


class NotificationBannerNode(template.Node):
    def __init__(self, title, title_id, success, nodelist) -> None:
        self.title, self.title_id, self.success = title, title_id, success
        self.nodelist = nodelist

    def render(self, context) -> str:
        kind = self.success.resolve(context) if self.success else None
        success = kind is True or kind == "success"
        return format_html(
            '<div class="govuk-notification-banner{}" role="{}" aria-labelledby="{}"'
            ' data-module="govuk-notification-banner">'
            '<div class="govuk-notification-banner__header">'
            '<h2 class="govuk-notification-banner__title" id="{}">{}</h2></div>'
            '<div class="govuk-notification-banner__content">{}</div></div>',
            " govuk-notification-banner--success" if success else "",
            "alert" if success else "region",
            self.title_id.resolve(context),
            self.title_id.resolve(context),
            self.title.resolve(context),
            self.nodelist.render(context),
        )


@register.tag
def notification_banner(parser, token) -> NotificationBannerNode:
    """``{% notification_banner title title_id [success] %}…{% endnotification_banner %}``."""
    bits = token.split_contents()[1:]
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError(
            "notification_banner takes a title, the title's id and, for success, a third value"
        )
    title, title_id, *success = (parser.compile_filter(bit) for bit in bits)
    nodelist = parser.parse(("endnotification_banner",))
    parser.delete_first_token()
    return NotificationBannerNode(title, title_id, success[0] if success else None, nodelist)
