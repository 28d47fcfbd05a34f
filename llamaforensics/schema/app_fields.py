"""The app's names for catalog columns: camelCase, and the admin-correction group of each.

What the app shows and logs (its admin correction's metadata, its manifests)
names columns in camelCase (``release_date`` is ``releaseDate``) and reports
album fields under its own groups. Analysis (blame) and repair both speak
these names, so they live with the schema, below both.
"""

from __future__ import annotations

# The app's name of album columns and the group of the admin-correction metadata they are reported
# under (the app's own groups); any other album column is reported under "metadata".
ALBUM_FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", "metadata"),
    "release_date": ("releaseDate", "metadata"),
    "release_type": ("releaseType", "metadata"),
    "release_status": ("releaseStatus", "metadata"),
    "release_country": ("releaseCountry", "metadata"),
    "genres": ("genres", "metadata"),
    "secondary_types": ("secondaryTypes", "metadata"),
    "track_count": ("trackCount", "metadata"),
    "label": ("label", "metadata"),
    "catalog_number": ("catalogNumber", "metadata"),
    "data_quality": ("dataQuality", "metadata"),
    "barcode": ("barcode", "externalIds"),
    "musicbrainz_id": ("musicbrainzId", "externalIds"),
    "spotify_id": ("spotifyId", "externalIds"),
    "spotify_url": ("spotifyUrl", "externalIds"),
    "deezer_id": ("deezerId", "externalIds"),
    "discogs_id": ("discogsId", "externalIds"),
    "cover_art_url": ("coverArtUrl", "coverArt"),
}


def app_name(column: str) -> str:
    """Return the app's camelCase name of a column (``release_date`` -> ``releaseDate``)."""
    if column in ALBUM_FIELDS:
        return ALBUM_FIELDS[column][0]
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)
