from django import template

from positions.workflow import may_publish

from .. import queue

register = template.Library()


@register.inclusion_tag("desk/_admin_summary.html", takes_context=True)
def desk_summary(context):
    """The desk's links and the review queue's length, for the admin's index."""
    user = context["request"].user
    return {
        "waiting": queue.awaiting().count(),
        "returned": queue.returned_to(user).count(),
        "may_publish": may_publish(user),
        "may_enter": user.has_perm("positions.add_position"),
    }
