"""The desk's forms: the article to read, the source as proposed, and one
statement per candidate. Names of actors are typed (a slug or a name or
alias, with a list to pick from); a name the record lacks is a new person."""

from __future__ import annotations

import secrets

from django import forms
from django.core.exceptions import ValidationError

from actors.models import Actor, Role
from actors.names import actors_named
from config.validation import validate_date_in_range
from positions.models import Attribution, Condition, Stance, Topic
from sources.models import Quote, Source
from sources.text import normalize_url

from .article import MAX_FILE_BYTES, MAX_TEXT_CHARS
from .assistant.lexicon import title_family
from .services import NewActor, Statement

ISO_DATE = {"placeholder": "YYYY-MM-DD", "pattern": r"\d{4}-\d{2}-\d{2}", "inputmode": "numeric"}
RANK_OF_FAMILY = {
    "head": Role.Rank.HEAD,
    "foreign": Role.Rank.MINISTER,
    "defence": Role.Rank.MINISTER,
    "spokes": Role.Rank.SPOKESPERSON,
}


class IsoDateField(forms.DateField):
    """A date typed and shown as YYYY-MM-DD, whatever the browser's locale."""

    widget = forms.TextInput(attrs=ISO_DATE)

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)
        self.error_messages["invalid"] = "Type the date as YYYY-MM-DD, e.g. 2025-02-25."
        self.validators.append(validate_date_in_range)

    def prepare_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


class ArticleForm(forms.Form):
    """Paste, upload or give an address: one of the three."""

    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_TEXT_CHARS,
        label="Paste its text",
        help_text="Its text, or the page's HTML: boilerplate and markup are removed.",
    )
    upload = forms.FileField(
        required=False,
        label="or upload a saved page",
        help_text="A .html or .txt file, at most 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".html,.htm,.txt,text/html,text/plain"}),
    )
    url = forms.CharField(
        required=False,
        max_length=2000,
        label="The article's address",
        help_text="An article already recorded is recognised at once. With nothing else "
        "given, the server fetches the page where it has a network; with text or a file, "
        "the address is recorded as the source's URL.",
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
    )

    published_on = IsoDateField(
        required=False,
        label="Published",
        help_text="When the text does not carry its date: the assistant reads “on Tuesday” "
        "or “last month” from it.",
    )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > MAX_FILE_BYTES:
            raise ValidationError("The file is over 2 MB: not one article.")
        return upload

    def clean_url(self):
        url = self.cleaned_data.get("url", "").strip()
        if not url:
            return ""
        try:
            url = normalize_url(url)
        except ValueError as error:
            raise ValidationError(f"This address does not parse ({error}).") from error
        if not url.startswith(("http://", "https://")):
            raise ValidationError("Give an http:// or https:// address.")
        forms.URLField().clean(url)
        return url

    def clean(self):
        data = super().clean()
        given = [n for n in ("text", "upload") if data.get(n)]
        if len(given) > 1:
            raise ValidationError("Paste the text or upload a file, not both.")
        if not given and not data.get("url"):
            raise ValidationError("Paste the article, upload a saved page or give its address.")
        return data


class SourceForm(forms.ModelForm):
    published_on = IsoDateField(required=False, label="Published")
    text = forms.CharField(widget=forms.HiddenInput, strip=False)

    class Meta:
        model = Source
        fields = ["title", "publisher", "published_on", "url", "author", "language", "text"]
        widgets = {
            "url": forms.URLInput(attrs={"size": 60}),
            "title": forms.TextInput(attrs={"size": 60}),
        }

    def clean_text(self):
        return self.cleaned_data["text"].replace("\r\n", "\n")


def new_key() -> str:
    return secrets.token_hex(4)


class StatementForm(forms.Form):
    include = forms.BooleanField(required=False, initial=True, label="Keep")
    quote = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    speaker = forms.CharField(
        required=False,
        max_length=200,
        help_text="Empty when the outlet's own sentence reports it.",
        widget=forms.TextInput(attrs={"list": "actor-names", "autocomplete": "off"}),
    )
    speaker_title = forms.CharField(
        required=False,
        max_length=200,
        label="Speaker's office",
        help_text="When the record lacks it (e.g. Armed Forces Minister): recorded with it.",
    )
    speaker_country = forms.ModelChoiceField(
        queryset=Actor.objects.filter(kind__in=[Actor.Kind.STATE, Actor.Kind.ORGANISATION]),
        required=False,
        to_field_name="slug",
        label="Office in",
    )
    actor = forms.CharField(
        max_length=200,
        label="Whose stance",
        widget=forms.TextInput(attrs={"list": "actor-names", "autocomplete": "off"}),
    )
    attribution = forms.ChoiceField(choices=Attribution.choices)
    claimant = forms.CharField(
        required=False,
        max_length=200,
        help_text="Who makes a claim (claims only).",
        widget=forms.TextInput(attrs={"list": "actor-names", "autocomplete": "off"}),
    )
    said_on = IsoDateField(
        required=False, label="Said", help_text="Empty when the text does not say."
    )
    precision = forms.ChoiceField(choices=Quote.Precision.choices, initial="day")
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), to_field_name="slug")
    stance = forms.ChoiceField(choices=Stance.choices)
    conditions = forms.ModelMultipleChoiceField(
        queryset=Condition.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(required=False, max_length=500, label="Editor's one-line reading")
    publish = forms.BooleanField(required=False, label="Publish now")

    def __init__(self, *args, may_publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["publish"]
        if not self.is_bound or not self.data.get(self.add_prefix("include")):
            # A dropped candidate is not checked.
            for name, field in self.fields.items():
                if self.is_bound and name != "include":
                    field.required = False

    @property
    def kept(self) -> bool:
        return bool(self.cleaned_data.get("include"))

    def clean(self):
        data = super().clean()
        if not data.get("include"):
            return data
        for name in ("speaker", "actor", "claimant"):
            if data.get(name):
                data[name] = self._actor(name, data[name], data)
        return data

    def _actor(self, name: str, typed: str, data) -> Actor | NewActor | None:
        typed = typed.strip()
        found = Actor.objects.filter(slug=typed).first()
        if found:
            return found
        ids = actors_named(typed)
        if len(ids) == 1:
            return Actor.objects.get(pk=ids[0])
        if len(ids) > 1:
            choices = ", ".join(f"{a.name} ({a.slug})" for a in Actor.objects.filter(pk__in=ids))
            self.add_error(name, f"More than one actor is called this: {choices}. Type the slug.")
            return None
        title = data.get("speaker_title", "") if name == "speaker" else ""
        country = data.get("speaker_country") if name == "speaker" else None
        return NewActor(
            name=typed,
            kind=Actor.Kind.OFFICIAL if title else Actor.Kind.EXPERT,
            title=title if country else "",
            organisation=country if title else None,
            rank=RANK_OF_FAMILY.get(title_family(title) or "", Role.Rank.OFFICIAL)
            if title and country
            else None,
        )

    def statement(self) -> Statement:
        data = self.cleaned_data
        speaker = data.get("speaker") or None
        # The speaker typed as new and named again as the actor or claimant is one new person.
        for key in ("actor", "claimant"):
            value = data.get(key)
            same = isinstance(value, NewActor) and isinstance(speaker, NewActor)
            if same and value.name.casefold() == speaker.name.casefold():
                data[key] = speaker
        office = None
        title, country = data.get("speaker_title", ""), data.get("speaker_country")
        if isinstance(speaker, Actor) and title and country:
            office = (
                title,
                country,
                RANK_OF_FAMILY.get(title_family(title) or "", Role.Rank.OFFICIAL),
            )
        return Statement(
            speaker_office=office,
            quote=data["quote"].strip(),
            actor=data["actor"],
            topic=data["topic"],
            stance=data["stance"],
            attribution=data["attribution"],
            speaker=speaker,
            claimant=data.get("claimant") or None,
            said_on=data.get("said_on"),
            precision=data.get("precision") or Quote.Precision.DAY,
            conditions=list(data.get("conditions") or []),
            summary=data.get("summary", ""),
            publish=bool(data.get("publish")),
        )
