"""One planner per kind of correction: the row operations that reach its target from a state.

Each module plans one kind (``set_album_fields``, ``add_tracks``,
``set_tracks``, ``remove_tracks``, ``modify_tracks``, ``link_artist``,
``unlink_artist``, ``merge_albums``, ``revert_correction``) with the shared
building blocks of :mod:`.rows`; :mod:`..planning` picks the planner of a
correction and applies the checks every correction shares. Adding a kind:
its correction class in :mod:`..model`, its planner here, one line in
:data:`..planning.PLANNERS`.
"""
