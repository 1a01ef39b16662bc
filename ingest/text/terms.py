"""Content words: what lexical search matches on and what citation checks compare."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

from .stopwords import ENGLISH_STOP_WORDS

WORD = re.compile(r"\w+")
STOPWORDS = ENGLISH_STOP_WORDS | {"said", "says", "say", "according", "article", "articles", "report", "reported"}
STEMMER = Stemmer.Stemmer("english")
STEMMING = threading.Lock()  # the stemmer keeps the word it works on in itself


def content_words(text: str) -> list[str]:
    """Lower-cased words in order, stopwords and one-letter words left out."""
    return [w for w in WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


def stems(text: str) -> list[str]:
    """Content words reduced to their stems, so 'restricted' meets 'restrictions'."""
    return [stem(word) for word in content_words(text)]


# News reuses its words: stemming each only once makes citation checks several times faster.
@lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    with STEMMING:
        return STEMMER.stemWord(word)
