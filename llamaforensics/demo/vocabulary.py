"""Words the demo catalog is made of: titles, names, genres, labels, and hostile strings.

Titles are built from two word lists, so two albums collide only by design
(the generator de-duplicates within an artist); the hostile titles carry the
characters that break naive tools: quotes, emoji, CJK, markup, SQL, tabs and
newlines (which COPY and CSV must escape).
"""

from __future__ import annotations

ADJECTIVES = (
    "Silent", "Electric", "Golden", "Broken", "Midnight", "Velvet", "Hollow", "Burning", "Frozen", "Wild",
    "Paper", "Neon", "Crimson", "Distant", "Quiet", "Lonely", "Savage", "Gentle", "Endless", "Northern",
    "Southern", "Hidden", "Glass", "Iron", "Lunar", "Solar", "Restless", "Sacred", "Faded", "Bitter",
    "Sweet", "Ancient", "Modern", "Stolen", "Painted", "Empty", "Heavy", "Tender", "Fragile", "Rising",
    "Falling", "Secret", "Violet", "Copper", "Wandering", "Sleeping", "Dancing", "Burning", "Hungry", "Little",
)
NOUNS = (
    "Rivers", "Echoes", "Satellites", "Gardens", "Machines", "Horizons", "Shadows", "Letters", "Mountains",
    "Streets", "Dreams", "Ghosts", "Flowers", "Engines", "Oceans", "Windows", "Mirrors", "Fires", "Islands",
    "Cities", "Seasons", "Wolves", "Stars", "Bridges", "Voices", "Waves", "Skies", "Roads", "Hearts",
    "Tides", "Signals", "Lanterns", "Harbors", "Deserts", "Forests", "Kingdoms", "Memories", "Storms",
    "Birds", "Radios", "Summers", "Winters", "Angels", "Cathedrals", "Wires", "Clocks", "Comets", "Canyons",
    "Embers", "Tapes",
)
ARTIST_FIRST = (
    "The", "Los", "Les", "Die", "Dead", "Young", "Black", "White", "Blue", "Red", "Big", "Holy", "Royal",
    "Public", "Arctic", "Cosmic", "Velvet", "Static", "Future", "Polar",
)
ARTIST_SECOND = (
    "Monkeys", "Lions", "Pilots", "Strokes", "Killers", "Shins", "Bears", "Foxes", "Owls", "Sisters",
    "Brothers", "Machines", "Parade", "Society", "Collective", "Orchestra", "Club", "Ensemble", "Quartet", "Band",
    "Hounds", "Ravens", "Tigers", "Cousins", "Strangers", "Saints", "Sparrows", "Giants", "Ramblers", "Drifters",
)
# Real-world shapes of names that stress search: accents, diacritics, CJK, punctuation.
NAMED_ARTISTS = (
    "Björk", "Sigur Rós", "Beyoncé", "Mötley Crüe", "Motörhead", "Céline Dion", "Zoë Keating", "Agnès Obel",
    "坂本龍一", "宇多田ヒカル", "BTS", "Rosalía", "Ólafur Arnalds", "Måneskin", "Jóhann Jóhannsson",
    "AC/DC", "Guns N' Roses", "!!!", "Sunn O)))", "Florence + the Machine", "Earth, Wind & Fire",
)
GENRES = (
    "rock", "indie rock", "pop", "hip hop", "electronic", "jazz", "folk", "ambient", "metal", "soul",
    "r&b", "classical", "punk", "shoegaze", "house", "techno", "country", "blues", "k-pop", "dream pop",
)
LABELS = (
    "Sub Pop", "Matador", "XL Recordings", "Warp", "4AD", "Domino", "Rough Trade", "Merge", "Ninja Tune",
    "Def Jam", "Columbia", "Interscope", "Atlantic", "ECM", "Blue Note", "Ghostly International",
)
COUNTRIES = ("US", "GB", "DE", "FR", "SE", "IS", "JP", "KR", "CA", "AU", "NL", "NO", "BR", "ES", "IT")
TRACK_WORDS = (
    "Intro", "Outro", "Interlude", "Reprise", "Home", "Run", "Fall", "Light", "Water", "Gold", "Smoke", "Rain",
    "Tonight", "Forever", "Alone", "Together", "Again", "Away", "Closer", "Higher", "Slow", "Fast", "Blue",
    "Night", "Morning", "Sunday", "Monday", "Heart", "Mind", "Soul",
)
# Suffixes that defeat a MusicBrainz release-group title search (SCHEMA.md: the 5-10 trackless
# albums that were not too new).
EDITION_SUFFIXES = (
    "(Deluxe)", "(Deluxe Edition)", "(10th Anniversary Edition)", "(Special Edition)", "(Expanded Edition)",
    "(Remastered 2011)", "[Bonus Track Version]", "(Super Deluxe)",
)
# Titles that break naive tools. Each gets a number appended so they never look like duplicates.
HOSTILE_TITLES = (
    "Don't Stop \"Believin'\"",
    "🎸 Rock & Roll 🤘 <b>Live</b>",
    "<script>alert('llama')</script>",
    "Robert'); DROP TABLE albums;--",
    "東京事変 — 教育",
    "사랑의 노래",
    "Ünïcödé Çafé Øl",
    "Tab\there, newline\nthere",
    "Back\\slash \\N and 100% {braces} [brackets]",
    "   leading and trailing spaces   ",
    "Zero\u200bwidth\u200bjoiner",
    "مرحبا بالعالم",
)
RELEASE_TYPES = ("album", "ep", "single", "compilation")
