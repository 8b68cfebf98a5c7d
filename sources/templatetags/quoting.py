from django import template

from sources.text import quoted as quoted_words

register = template.Library()


@register.filter
def quoted(words: str) -> str:
    """Words in quotation marks that close once (``sources.text.quoted``)."""
    return quoted_words(words)
