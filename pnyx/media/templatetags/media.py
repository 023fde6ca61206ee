from django import template

from .. import markup
from ..models import Image

register = template.Library()


@register.simple_tag
def picture(image: Image, sizes: str = markup.COLUMN, lazy: bool = True) -> str:
    """``{% picture post.featured_image lazy=False %}``: an ``<img>`` with its copies and its size."""
    return markup.picture(image, sizes=sizes, lazy=lazy)
