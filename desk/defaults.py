"""The assistant's starting stance lexicon: phrases that suggest a stance.
Editors extend it in the admin; the longest phrase found in a statement
wins ("not ruled out" over "ruled out"). Plain data, read by the migration
that first wrote it and by ``manage.py load_lexicon``."""

STANCE_CUES = {
    "supports": [
        "willing to", "ready to", "prepared to", "in favour of", "in favor of", "supports",
        "backs", "no problem with", "will accept", "would accept", "accept it", "welcomes",
        "boots on the ground", "will send", "would send", "is ready", "are ready", "pledged",
        "contribute troops", "take part",
    ],
    "conditional": [
        "under certain conditions", "only if", "only when", "provided that", "on condition",
        "as long as", "would need", "will need", "without security guarantees", "only with",
        "depends on", "if there is",
    ],
    "undecided": [
        "open mind", "lukewarm", "not ruled it out", "not ruled out", "has not decided",
        "premature", "too early", "nothing to add", "early days", "not yet decided",
    ],
    "opposes": [
        "would not", "will not", "won't", "ruled out", "rules out", "rule out", "opposed to",
        "opposes", "against", "unacceptable", "never agree", "not send", "not deploy",
        "rejects", "rejected", "view such discussions negatively", "no plans to",
        "not going to", "highly unlikely", "does not need", "should not be brought",
        "so run down", "hollowed out", "underprepared", "dangerous",
    ],
    "hostile": [
        "legitimate target", "legitimate targets", "target of the russian armed forces",
        "war between nato and russia", "party to the conflict", "become a target",
    ],
}  # fmt: skip
