"""The English the assistant reads: speech verbs, office titles, demonyms,
months and weekdays. General language, not the record's data."""

import re

# Verbs that introduce or close a quotation, in the forms news copy uses.
SPEECH_VERBS = frozenset(
    [
    "said", "says", "say", "told", "tells", "added", "adds", "noted", "notes", "stressed",
    "stresses", "asked", "asks", "stated", "states", "insisted", "insists", "warned",
    "warns", "explained", "explains", "wrote", "writes", "declared", "declares", "argued",
    "argues", "emphasized", "emphasised", "emphasizes", "emphasises", "responded",
    "responds", "replied", "replies", "clarified", "clarifies", "recalled", "recalls",
    "commented", "comments", "announced", "announces", "suggested", "suggests", "confirmed",
    "confirms", "denied", "denies", "claimed", "claims", "reiterated", "reiterates",
    "underlined", "underlines", "acknowledged", "acknowledges", "admitted", "admits",
    "continued", "continues", "concluded", "concludes", "observed", "observes", "posted",
    "posts",

])  # fmt: skip

# Verbs and phrases that report a stance without quotation marks.
REPORT_VERBS = (
    "has said", "have said", "had said", "said", "says", "say", "indicated", "indicates",
    "has indicated", "have indicated", "ruled out", "has ruled out", "have ruled out",
    "rules out", "announced", "insisted", "warned", "rejected", "rejects", "declined",
    "has declined", "signaled", "signalled", "has signaled", "has consistently signaled",
    "stated", "reiterated", "dismissed", "called", "described", "argued", "claimed",
    "claims", "offered", "pledged", "refused", "agreed", "confirmed", "denied",
    "have been lukewarm", "has been lukewarm", "voiced support", "voiced doubts",
    "expressed", "spoke in favor", "spoke in favour", "opposed", "opposes", "saying",
    "told", "believes", "plans", "plan", "is ready", "are ready", "is prepared",
    "are prepared", "is willing", "are willing", "would not", "will not", "proposed",
    "issued a joint statement", "issued a statement", "promised",
)  # fmt: skip

# Office titles by family: a title in the text and an office's title in the
# record meet when they fall in one family.
TITLE_FAMILIES = {
    "head": ("president", "prime minister", "premier", "chancellor", "taoiseach", "king",
             "head of state", "head of government", "pm", "leader"),
    "foreign": ("foreign minister", "foreign secretary", "secretary of state",
                "minister of foreign affairs", "foreign affairs minister", "top diplomat"),
    "defence": ("defence minister", "defense minister", "defence secretary",
                "defense secretary", "minister of defence", "minister of defense",
                "secretary of defense", "armed forces minister", "minister of national defense",
                "minister of national defence"),
    "spokes": ("spokesman", "spokeswoman", "spokesperson", "press secretary",
               "spokesman for the kremlin", "kremlin spokesman"),
    "secretary general": ("secretary general", "secretary-general"),
    "envoy": ("envoy", "special envoy", "ambassador", "permanent representative",
              "representative"),
    "minister": ("minister",),
    "diplomat": ("diplomat",),
    "official": ("official",),
}  # fmt: skip

# The nouns by which copy refers back to a person already named.
PERSON_NOUNS = frozenset(
    [
    "president", "minister", "chancellor", "premier", "spokesman", "spokeswoman",
    "spokesperson", "secretary", "diplomat", "official", "leader", "envoy", "ambassador",
    "representative", "general", "commander", "chief", "lawmaker", "senator", "mp",
    "expert", "analyst", "head",

])  # fmt: skip

# ISO 3166-1 code -> adjectives and short forms news copy uses for the state.
DEMONYMS = {
    "GB": ("British", "UK", "U.K.", "Britain's"), "FR": ("French",), "DE": ("German",),
    "RU": ("Russian", "Kremlin"), "PL": ("Polish",), "US": ("U.S.", "US", "American"),
    "UA": ("Ukrainian",), "DK": ("Danish",), "SE": ("Swedish",), "NL": ("Dutch",),
    "IT": ("Italian",), "ES": ("Spanish",), "FI": ("Finnish",), "NO": ("Norwegian",),
    "EE": ("Estonian",), "LV": ("Latvian",), "LT": ("Lithuanian",), "BE": ("Belgian",),
    "CZ": ("Czech",), "SK": ("Slovak",), "HU": ("Hungarian",), "RO": ("Romanian",),
    "BG": ("Bulgarian",), "GR": ("Greek",), "PT": ("Portuguese",), "AT": ("Austrian",),
    "IE": ("Irish",), "CA": ("Canadian",), "AU": ("Australian",), "JP": ("Japanese",),
    "TR": ("Turkish",), "CN": ("Chinese",), "BY": ("Belarusian",), "MD": ("Moldovan",),
    "HR": ("Croatian",), "IS": ("Icelandic",), "NZ": ("New Zealand",), "CH": ("Swiss",),
    "SI": ("Slovenian",), "MT": ("Maltese",), "CY": ("Cypriot",), "AL": ("Albanian",),
    "LU": ("Luxembourg",), "MK": ("North Macedonian",), "ME": ("Montenegrin",),
    "RS": ("Serbian",), "GE": ("Georgian",), "KR": ("South Korean",), "IN": ("Indian",),
}  # fmt: skip

# Country names, so that "President of Belarus Alexander Lukashenko" ends
# the title at the country whether or not the record has it yet.
COUNTRY_NAMES = frozenset(
    [  # fmt: skip
        "Albania",
        "Andorra",
        "Armenia",
        "Austria",
        "Azerbaijan",
        "Belarus",
        "Belgium",
        "Bosnia",
        "Bulgaria",
        "Canada",
        "China",
        "Croatia",
        "Cyprus",
        "Czechia",
        "Denmark",
        "Estonia",
        "Finland",
        "France",
        "Georgia",
        "Germany",
        "Greece",
        "Hungary",
        "Iceland",
        "India",
        "Ireland",
        "Israel",
        "Italy",
        "Japan",
        "Kazakhstan",
        "Kosovo",
        "Latvia",
        "Liechtenstein",
        "Lithuania",
        "Luxembourg",
        "Malta",
        "Moldova",
        "Monaco",
        "Montenegro",
        "Netherlands",
        "Norway",
        "Poland",
        "Portugal",
        "Romania",
        "Russia",
        "Serbia",
        "Slovakia",
        "Slovenia",
        "Spain",
        "Sweden",
        "Switzerland",
        "Turkey",
        "Türkiye",
        "Ukraine",
        "Britain",
        "America",
        "Australia",
        "Korea",
        "Iran",
        "Belarusian",
        "Macedonia",
    ]
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Words that start an organisation's name, never a person's.
ORGANISATION_WORDS = frozenset(
    [  # fmt: skip
        "Republic",
        "Ministry",
        "Federation",
        "Kingdom",
        "Union",
        "Council",
        "Commission",
        "Parliament",
        "Bundestag",
        "Party",
        "Agency",
        "Office",
        "Service",
        "Department",
        "Government",
        "Army",
        "Forces",
        "Institute",
        "Radio",
        "Television",
        "Embassy",
        "Foundation",
        "Alliance",
        "Coalition",
    ]
)

# Words that look like names at the start of a sentence or in a title but are not.
NOT_NAMES = (
    frozenset(
        [
            "The",
            "A",
            "An",
            "But",
            "And",
            "Or",
            "In",
            "On",
            "At",
            "For",
            "Of",
            "To",
            "From",
            "By",
            "With",
            "As",
            "If",
            "When",
            "While",
            "After",
            "Before",
            "This",
            "That",
            "These",
            "Those",
            "It",
            "Its",
            "He",
            "She",
            "They",
            "We",
            "I",
            "You",
            "His",
            "Her",
            "Their",
            "Our",
            "Asked",
            "Earlier",
            "Later",
            "Meanwhile",
            "However",
            "Yet",
            "Still",
            "Also",
            "Last",
            "Next",
            "Once",
            "According",
            "Regarding",
            "Some",
            "Many",
            "Most",
            "Several",
            "Both",
            "Neither",
            "Either",
            "Europe",
            "European",
            "Europeans",
            "Western",
            "NATO",
            "EU",
            "UN",
        ]
    )
    | {name.capitalize() for name in (*MONTHS, *WEEKDAYS)}
    | ORGANISATION_WORDS
)


WORD = re.compile(r"[^\W_](?:[\w’'.\-]*[^\W_])?\.?", re.UNICODE)
