"""The extraction assistant: candidate statements proposed from an
article's text, rule-based and driven by the record (actors, aliases,
offices on the date, topic wordings, the stance lexicon, condition
keywords). It writes nothing; an editor or a tool decides."""

from .extract import Candidate, Mention, extract
from .lexicon import Lexicon, current_lexicon

__all__ = ["Candidate", "Lexicon", "Mention", "current_lexicon", "extract"]
