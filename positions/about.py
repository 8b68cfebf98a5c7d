"""The method page: how the record is read, from the record's own topics
and the rules the code applies (the stance rule in ``rule.py``, the ranks
in ``actors.Role``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from actors.models import Role

from .models import Stance, Topic

# Each step of the scale with words from the founding articles (the seed's
# quotes, verbatim), so a reader sees what the label stands for.
EXAMPLES = {
    Stance.SUPPORTS: (
        "participating countries led by Britain and France have been developing plans to send "
        "a significant number of troops to Ukraine following a ceasefire",
        "Atlantic Council, on the Coalition of the Willing",
    ),
    Stance.CONDITIONAL: (
        "Sweden and the Netherlands indicated they could be willing to provide troops under "
        "certain conditions.",
        "RFE/RL",
    ),
    Stance.UNDECIDED: (
        "although Danish Prime Minister Mette Frederiksen indicated she had an open mind on "
        "the matter.",
        "RFE/RL",
    ),
    Stance.OPPOSES: ("But Poland, which has a large army, said it would not.", "RFE/RL"),
    Stance.HOSTILE: (
        "with Kremlin officials stating that any European soldiers sent to Ukraine would be "
        "“legitimate targets.”",
        "Atlantic Council",
    ),
}


@require_safe
def method(request: HttpRequest) -> HttpResponse:
    scale = [(value, label, *EXAMPLES[value]) for value, label in Stance.choices]
    context = {"scale": scale, "topics": Topic.objects.all(), "ranks": Role.Rank.choices}
    return render(request, "positions/method.html", context)
