"""Words the demo catalog is made of: titles, names, genres, labels, and hostile strings.

The word lists are data, not code: they live in ``data/vocabulary/*.json`` at the
top of the checkout, shipped inside the package as ``llamaforensics.data``, so a
word can be changed without touching the generator. Order matters (the generator
picks by position), and so do repeats: a list is read exactly as written.

Titles are built from two word lists, so two albums collide only by design
(the generator de-duplicates within an artist); the hostile titles carry the
characters that break naive tools: quotes, emoji, CJK, markup, SQL, tabs and
newlines (which COPY and CSV must escape).
"""

from __future__ import annotations

import json
from importlib.resources import files


def word_lists(name: str) -> dict[str, tuple[str, ...]]:
    """Return the lists of ``data/vocabulary/<name>.json`` by key, each as a tuple of strings."""
    text = (files("llamaforensics.data") / "vocabulary" / f"{name}.json").read_text("utf-8")
    return {key: tuple(words) for key, words in json.loads(text).items()}


_titles = word_lists("titles")
ADJECTIVES = _titles["adjectives"]
NOUNS = _titles["nouns"]
TRACK_WORDS = _titles["track_words"]
# Suffixes that defeat a MusicBrainz release-group title search (SCHEMA.md: the 5-10 trackless
# albums that were not too new).
EDITION_SUFFIXES = _titles["edition_suffixes"]
# Titles that break naive tools. Each gets a number appended so they never look like duplicates.
HOSTILE_TITLES = _titles["hostile_titles"]

_artists = word_lists("artists")
ARTIST_FIRST = _artists["first_words"]
ARTIST_SECOND = _artists["second_words"]
# Real-world shapes of names that stress search: accents, diacritics, CJK, punctuation.
NAMED_ARTISTS = _artists["named"]

_catalog = word_lists("catalog")
GENRES = _catalog["genres"]
LABELS = _catalog["labels"]
COUNTRIES = _catalog["countries"]

FIRST_NAMES = word_lists("people")["first_names"]

# The upstream release types, in the order of the album plan's RELEASE_TYPE_P (a schema fact,
# not a word list: it stays beside the probabilities it pairs with).
RELEASE_TYPES = ("album", "ep", "single", "compilation")
