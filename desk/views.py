"""The desk: an article in, reviewed statements out, in three page loads
(the form, the review, the saved result), and the senior editors' queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actors.models import Actor
from positions import services as position_services
from positions.models import Position, Status
from positions.workflow import may_publish
from sources.models import Source
from sources.text import normalize_url

from . import queue
from .article import Article, Unreadable, from_bytes, from_text
from .assistant import current_lexicon, extract
from .fetch import FetchRefused, fetch
from .forms import ArticleForm, SourceForm, StatementForm, new_key
from .services import Rejected, enter_article

ADD = "positions.add_position"


def _editor(request):
    if not request.user.has_perm(ADD):
        raise PermissionDenied("Only editors use the desk.")


@staff_member_required
@require_http_methods(["GET", "POST"])
def desk(request) -> HttpResponse:
    _editor(request)
    try:
        posted = request.method == "POST"
        form = ArticleForm(request.POST, request.FILES) if posted else ArticleForm()
    except RequestDataTooBig:
        problem = "The article is too large to send: paste one article, not a whole site."
        return _home(request, ArticleForm(), status=413, problem=problem)
    if not posted or not form.is_valid():
        return _home(request, form, status=400 if posted else 200)
    data = form.cleaned_data
    url = data["url"]
    if url and (known := Source.objects.filter(url=url).first()):
        return _already_recorded(request, known)
    try:
        article = _read(data)
    except (Unreadable, FetchRefused) as error:
        form.add_error(None, error.message)
        return _home(request, form, status=400)
    article.url = url or article.url
    article.published_on = article.published_on or data.get("published_on")
    if article.url and (known := Source.objects.filter(url=normalize_url(article.url)).first()):
        return _already_recorded(request, known)
    return _review(request, article)


def _read(data) -> Article:
    if data.get("upload"):
        upload = data["upload"]
        return from_bytes(upload.read(), name=upload.name)
    if data.get("text"):
        return from_text(data["text"])
    fetched = fetch(data["url"])
    return from_bytes(fetched.body, url=fetched.url)


def _already_recorded(request, source: Source):
    messages.info(
        request,
        f"This article is already recorded: “{source.title}” ({source.publisher}). "
        "It opens here: add its quotes and positions to it.",
    )
    return redirect("admin:sources_source_change", source.pk)


def _home(request, form, *, status=200, problem=""):
    user = request.user
    context = {
        "form": form,
        "problem": problem,
        "returned": queue.returned_to(user),
        "mine": queue.awaiting(entered_by=user)[:20],
        "waiting": queue.awaiting().count(),
        "may_publish": may_publish(user),
    }
    return render(request, "desk/desk.html", context, status=status)


def _review(request, article: Article, *, source_form=None, rows=None, status=200):
    # One lexicon for the page: each read of it asks the database its version.
    lexicon = current_lexicon()
    if rows is None:
        candidates = extract(article.text, lexicon=lexicon, published_on=article.published_on)
        rows = [
            StatementForm(prefix=f"s-{key}", initial=initial, may_publish=may_publish(request.user))
            for key, initial in ((new_key(), _initial(c, lexicon)) for c in candidates)
        ]
        rows = [
            (form.prefix.removeprefix("s-"), form, c)
            for form, c in zip(rows, candidates, strict=True)
        ]
    for _, _, candidate in rows:
        if candidate is not None and candidate.speaker and candidate.speaker.alternatives:
            # The other people the assistant found this name could mean.
            candidate.speaker.others = [
                lexicon.actors[pk] for pk in candidate.speaker.alternatives if pk in lexicon.actors
            ]
    if source_form is None:
        source_form = SourceForm(
            initial={
                "title": article.title,
                "publisher": article.publisher,
                "published_on": article.published_on,
                "url": article.url,
                "author": article.author,
                "language": article.language,
                "text": article.text,
            }
        )
    context = {
        "article": article,
        "source_form": source_form,
        "rows": rows,
        "actor_names": Actor.objects.order_by("name").values_list("name", "slug"),
        "may_publish": may_publish(request.user),
    }
    return render(request, "desk/review.html", context, status=status)


def _initial(candidate, lexicon) -> dict:

    def typed(mention):
        if mention is None:
            return ""
        return lexicon.actors[mention.actor_id].slug if mention.actor_id else mention.name

    speaker = candidate.speaker
    country = lexicon.actors.get(speaker.country_id) if speaker and speaker.country_id else None
    # An office to record with the statement: a new person's, or one the text names.
    from_text = bool(speaker and (not speaker.actor_id or speaker.office_from_text))
    return {
        "include": bool(candidate.actor and candidate.topic and candidate.stance),
        "quote": candidate.quote,
        "speaker": typed(speaker),
        "speaker_title": speaker.role if from_text else "",
        "speaker_country": country.slug if country and from_text else None,
        "actor": typed(candidate.actor),
        "attribution": candidate.attribution,
        "claimant": typed(candidate.claimant),
        "said_on": candidate.said_on,
        "precision": candidate.said_on_precision or "day",
        "topic": candidate.topic,
        "stance": candidate.stance,
        "conditions": candidate.conditions,
    }


@staff_member_required
@require_POST
def save(request) -> HttpResponse:
    _editor(request)
    source_form = SourceForm(request.POST)
    keys = list(dict.fromkeys(request.POST.getlist("row")))
    rows = [
        (
            key,
            StatementForm(request.POST, prefix=f"s-{key}", may_publish=may_publish(request.user)),
            None,
        )
        for key in keys
        if key.isalnum() and len(key) <= 16
    ]
    article = Article(text=request.POST.get("text", ""))
    # Every form is validated, so that the editor sees every error at once.
    checked = [source_form.is_valid(), *(form.is_valid() for _, form, _ in rows)]
    valid = all(checked)
    kept = [form for _, form, _ in rows if form.is_valid() and form.kept]
    if valid and not kept:
        source_form.add_error(None, "Keep at least one statement, or leave the desk.")
        valid = False
    if valid and any(f.cleaned_data.get("publish") for f in kept) and not may_publish(request.user):
        raise PermissionDenied("Only senior editors publish.")
    if not valid:
        return _review(request, article, source_form=source_form, rows=rows, status=400)
    values = source_form.cleaned_data
    new_source = {name: values[name] for name in SourceForm.Meta.fields}
    new_source["editor_note"] = f"Entered through the desk by {request.user.get_username()}."
    try:
        entered = enter_article(
            user=request.user, new_source=new_source, statements=[f.statement() for f in kept]
        )
    except Rejected as rejected:
        for field, errors in rejected.source.items():
            source_form.add_error(field if field in source_form.fields else None, errors)
        for index, errors in rejected.statements.items():
            _report(kept[index], errors)
        return _review(request, article, source_form=source_form, rows=rows, status=400)
    published = sum(p.status == Status.PUBLISHED for p in entered.positions)
    messages.success(
        request,
        f"Saved “{entered.source.title}”: {len(entered.quotes)} quotes, "
        f"{len(entered.positions)} positions ({published} published, "
        f"{len(entered.positions) - published} drafts awaiting review)"
        + (f", {len(entered.actors)} new actors" if entered.actors else "")
        + ".",
    )
    return redirect(f"{reverse('desk:entered', args=[entered.source.pk])}")


def _report(form: StatementForm, errors: dict):
    for field, messages_ in errors.items():
        if isinstance(messages_, dict):  # a nested object's errors
            messages_ = [f"{k}: {' '.join(map(str, v))}" for k, v in messages_.items()]
        target = field if field in form.fields else None
        if field == "text":
            target = "quote"
        elif field in ("as_of", "said_on"):
            target = "said_on"
        form.add_error(target, messages_)


@staff_member_required
@require_GET
def entered(request, pk: int) -> HttpResponse:
    _editor(request)
    source = get_object_or_404(Source, pk=pk)
    positions = (
        Position.objects.filter(quote__source=source)
        .select_related("actor", "topic", "quote", "claimant")
        .order_by("quote_id", "pk")
    )
    return render(request, "desk/entered.html", {"source": source, "positions": positions})


@staff_member_required
@require_GET
def statement_row(request) -> HttpResponse:
    """A new, empty statement for the review form (an htmx fragment): the
    words an editor selected in the article, which the assistant missed."""
    _editor(request)
    key = new_key()
    initial = {"quote": request.GET.get("quote", "")[:5000], "include": True}
    # "Another position from this quote": the row's own fields, sent with it.
    source = request.GET.get("from", "")
    if source.isalnum() and len(source) <= 16:
        copied = {
            name: request.GET.get(f"s-{source}-{name}", "")
            for name in ("quote", "speaker", "speaker_title", "attribution", "claimant",
                         "said_on", "precision", "topic", "stance")
        }  # fmt: skip
        initial |= {name: value for name, value in copied.items() if value}
    form = StatementForm(prefix=f"s-{key}", initial=initial, may_publish=may_publish(request.user))
    return render(
        request, "desk/review.html#statement", {"key": key, "form": form, "candidate": None}
    )


@staff_member_required
@require_GET
def check_url(request) -> HttpResponse:
    """Whether the address typed is recorded already (an htmx fragment)."""
    _editor(request)
    try:
        url = normalize_url(request.GET.get("url", ""))
    except ValueError:
        url = ""
    source = Source.objects.filter(url=url).first() if url else None
    return render(request, "desk/desk.html#known", {"known": source})


@staff_member_required
@require_GET
def review_queue(request) -> HttpResponse:
    _editor(request)
    page = Paginator(
        queue.awaiting()
        .select_related(
            "actor", "topic", "quote__source", "quote__speaker", "claimant", "entered_by"
        )
        .prefetch_related("conditions"),
        20,
    ).get_page(request.GET.get("page"))
    items = [(position, queue.in_context(position.quote)) for position in page]
    return render(
        request,
        "desk/queue.html",
        {"page": page, "items": items, "may_publish": may_publish(request.user)},
    )


@staff_member_required
@require_POST
def decide(request, pk: int) -> HttpResponse:
    if not may_publish(request.user):
        raise PermissionDenied("Only senior editors review drafts.")
    action = request.POST.get("action")
    try:
        with transaction.atomic():
            if action == "publish":
                published, refused = position_services.publish_drafts(
                    position_ids=[pk], user=request.user
                )
                if refused:
                    raise position_services.Refused(refused[0], field=None)
                messages.success(request, "Published.")
            elif action == "return":
                position_services.return_draft(
                    position_id=pk, user=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, "Returned to its editor with your note.")
            else:
                messages.error(request, "Choose publish or return.")
    except (position_services.Refused, position_services.InvalidInput) as error:
        messages.error(request, position_services.message_of(error))
    except Position.DoesNotExist:
        messages.error(request, "This draft no longer exists.")
    return redirect(
        reverse("desk:queue")
        + (f"?page={request.POST['page']}" if request.POST.get("page", "").isdigit() else "")
    )
