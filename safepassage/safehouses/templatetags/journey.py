"""``{% journey_links case %}``: the links to a case's shelter, travel, referrals and settlement pages,
each shown only to someone who may open it."""
from django import template

from safepassage.policy.rules import can

register = template.Library()

_PAGES = (
    ("shelter.view", "safehouses:case"),
    ("travel.view", "travel:case"),
    ("referral.view", "referrals:case"),
    ("settlement.view", "settlement:case"),
)


@register.inclusion_tag("safehouses/_journey_nav.html", takes_context=True)
def journey_links(context, case):
    user = context["request"].user
    allowed = {url for action, url in _PAGES if can(user, action, case)}
    return {"case": case, "allowed": allowed, "may_view_case": can(user, "case.view", case),
            "current": getattr(context["request"].resolver_match, "view_name", "")}
