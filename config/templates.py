"""Django's template backend, with each page's context let go when the page
is written.

Django's ``Context`` and the ``ContextDict`` it pushes refer to each other,
so a rendered context, and everything a view put in it (a timeline's
thousands of statements and markers), is a reference cycle: freed by the
cycle collector, not when the page is done. At 1M positions the topic page
left ~8,500 such objects per request; the collector's runs over them (and
over the live objects they pushed into older generations) took 4-7 ms of a
heavy page's time, with full collections of 20-40 ms now and then. Emptying
the context's stacks after rendering breaks the cycle: ~100 objects remain.
``config.wsgi`` can then let the collector run rarely."""

from django.template.backends.django import DjangoTemplates as DjangoEngine
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.django import reraise
from django.template.context import make_context
from django.template.exceptions import TemplateDoesNotExist


class Template(DjangoTemplate):
    def render(self, context=None, request=None):
        # As Django's own, but with the context made here, to empty it after.
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(context)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)
        finally:
            # Nothing reads a context once its template is written (the test
            # client keeps copies, taken while rendering).
            context.dicts.clear()
            context.render_context.dicts.clear()


class DjangoTemplates(DjangoEngine):
    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)
