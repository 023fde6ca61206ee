"""``{% login_choices as choices %}``: the comment form's login icons, prepared here rather than in the template.

The list is the same for every visitor (which providers the site has), so the cached post page may carry it.
"""

from django import template

from ..providers import Choice, choices, icon_of

register = template.Library()


@register.simple_tag(takes_context=True)
def login_choices(context: template.Context) -> list[Choice]:
    return choices(context.get("request"))


@register.simple_tag
def login_icon(provider_id: str) -> str:
    """The static path of a provider's icon, for allauth's own pages (connected accounts, sign in)."""
    return icon_of(provider_id)
