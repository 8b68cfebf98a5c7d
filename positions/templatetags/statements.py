"""``{% statement s subject=actor anchor=id no_id=True %}``: one statement's
markup, written by the Jinja2 engine (templates/jinja2/positions/
_statement.html, autoescaped there). Pages print up to hundreds of statements
(compare, topic and actor pages); a Django {% include %} of the same markup
was most of those pages' time."""

from django import template
from django.template import engines
from django.template.base import token_kwargs

register = template.Library()


class StatementNode(template.Node):
    def __init__(self, statement, options):
        self.statement = statement
        self.options = options

    def render(self, context) -> str:
        # Like {% include %}, the fragment's output goes in as written: the
        # Jinja2 engine escaped every value in it.
        fragment = engines["jinja2"].get_template("positions/_statement.html")
        values = {name: value.resolve(context) for name, value in self.options.items()}
        return fragment.render(
            {
                "statement": self.statement.resolve(context),
                "subject": values.get("subject"),
                "anchor": values.get("anchor", ""),
                "no_id": values.get("no_id", False),
            }
        )


@register.tag
def statement(parser, token):
    """``subject``: the actor whose cell shows it (an official's words "of"
    that state); ``anchor``: the element's id; ``no_id``: none at all (the
    same position may show twice on a page)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% statement %} needs the statement to show")
    options = token_kwargs(bits[2:], parser)
    if len(options) != len(bits) - 2 or not set(options) <= {"subject", "anchor", "no_id"}:
        raise template.TemplateSyntaxError(
            "{% statement s %} takes only subject=, anchor= and no_id= after the statement"
        )
    return StatementNode(parser.compile_filter(bits[1]), options)
