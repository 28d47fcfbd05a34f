"""The repair wizard's widget: a thin ipywidgets view over :class:`.wizard.RepairWizard`.

Proposals, hand edits, preview, rehearsal, a confirmed apply with its progress, and undo: each
button calls one method of the wizard, and the view re-renders what its traits say.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from .panels import action_button, table
from .wizard import RepairWizard


def _pre(text: str) -> str:
    return f'<pre style="white-space: pre-wrap">{html.escape(text)}</pre>'


def repair_view(state: RepairWizard) -> w.Widget:
    """Return the repair wizard: proposals, hand edits, preview, rehearsal, apply, undo."""
    heading = w.HTML()
    proposals = w.HTML()
    proposals.add_class("lf-proposals")
    edits_title = w.Text(description="Title")
    edits_mbid = w.Text(description="MB id", placeholder="MusicBrainz id")
    edits_tracks = w.Textarea(description="Tracks", placeholder="one title per line", rows=4)
    edits_artist = w.Text(description="Artist", placeholder="name (linked, created if new)")
    use_edits = action_button("Use these edits instead", "lf-manual")
    edits = w.Accordion(
        children=[w.VBox([edits_title, edits_mbid, edits_tracks, edits_artist, use_edits])]
    )
    edits.set_title(0, "Edit by hand")
    preview_b = action_button("Preview", "lf-preview", "info")
    rehearse_b = action_button("Rehearse on snapshot", "lf-rehearse")
    apply_b = action_button("Apply…", "lf-apply", "warning")
    confirm_b = action_button("Yes, apply", "lf-confirm", "danger")
    cancel_b = action_button("Cancel", "lf-cancel")
    undo_b = action_button("Undo", "lf-undo")
    confirm = w.HBox([w.HTML(), confirm_b, cancel_b])
    confirm.add_class("lf-confirmation")
    confirm.layout.display = "none"
    progress = w.IntProgress(min=0, max=1, description="Applying")
    progress.layout.display = "none"
    preview = w.HTML()
    preview.add_class("lf-preview-diff")
    rehearsal = w.HTML()
    result = w.HTML()
    result.add_class("lf-result")
    message = w.HTML()
    message.add_class("lf-message")

    def run(action: Callable[[], None]) -> Callable[[w.Button], None]:
        def handler(_: w.Button) -> None:
            try:
                action()
            # shown to the admin, not swallowed: the state keeps the message too
            except Exception as exc:
                message.value = f'<b style="color:#b00">{html.escape(str(exc))}</b>'

        return handler

    def render(_: object = None) -> None:
        kinds = sorted({f.kind for f in state.findings})
        heading.value = (
            f"<h4>Repair: {len(state.findings)} finding(s) {html.escape(', '.join(kinds))} "
            f"&rarr; {html.escape(state.target.label)}</h4>"
        )
        proposals.value = table(
            [
                {
                    "kind": c.kind,
                    "album": c.album_id,
                    "origin": c.origin,
                    "confidence": c.confidence,
                    "reason": c.reason,
                }
                for c in state.corrections
            ]
        )
        preview.value = _pre(state.preview_text) if state.preview_text else ""
        rehearsal.value = _pre(state.rehearsal_text) if state.rehearsal_text else ""
        message.value = html.escape(state.message)
        result.value = (
            ""
            if not state.results
            else (
                (
                    f"<b>{html.escape(state.message)}</b>"
                    if state.step == "undone"
                    else f"<b>{html.escape(state.summary())}</b> "
                    f"in {state.elapsed.get('applied', 0):.1f} s"
                )
                + table(
                    state.log_rows,
                    [
                        "created_at",
                        "category",
                        "operation",
                        "entity_type",
                        "entity_id",
                        "job_id",
                        "parent_job_id",
                        "root_job_id",
                    ],
                )
                + (
                    table(
                        [
                            {"undo": r.correction.kind, "status": r.status, "message": r.message}
                            for r in state.undo_results
                        ]
                    )
                    if state.undo_results
                    else ""
                )
            )
        )
        apply_b.disabled = state.step != "previewed" or state.busy
        confirm_b.disabled = state.busy
        undo_b.disabled = state.step != "applied" or state.busy
        progress.max = max(len(state.corrections), 1)
        progress.layout.display = "flex" if state.busy else "none"

    def ask(_: w.Button) -> None:
        confirm.children[0].value = f"<b>{html.escape(state.confirmation())}</b>"
        confirm.layout.display = "flex"

    def really_apply() -> None:
        confirm.layout.display = "none"
        progress.description = "Applying"
        state.apply(confirmed=True)

    def undo() -> None:
        progress.description, progress.value = "Undoing", 0
        state.undo()

    def manual() -> None:
        fields = {
            k: v
            for k, v in (
                ("title", edits_title.value.strip()),
                ("musicbrainz_id", edits_mbid.value.strip()),
            )
            if v
        }
        titles = [t.strip() for t in edits_tracks.value.splitlines() if t.strip()]
        state.manual(
            fields=fields, track_titles=titles, artist_name=edits_artist.value.strip() or None
        )

    preview_b.on_click(run(state.preview))
    rehearse_b.on_click(run(state.rehearse))
    apply_b.on_click(ask)
    confirm_b.on_click(run(really_apply))
    cancel_b.on_click(lambda _: setattr(confirm.layout, "display", "none"))
    undo_b.on_click(run(undo))
    use_edits.on_click(run(manual))
    state.observe(
        render,
        [
            "step",
            "corrections",
            "preview_text",
            "rehearsal_text",
            "results",
            "log_rows",
            "undo_results",
            "message",
            "busy",
        ],
    )
    state.observe(lambda ch: setattr(progress, "value", ch["new"]), "done")
    render()
    view = w.VBox(
        [
            heading,
            proposals,
            edits,
            w.HBox([preview_b, rehearse_b, apply_b, undo_b]),
            confirm,
            progress,
            preview,
            rehearsal,
            message,
            result,
        ]
    )
    view.add_class("lf-repair-wizard")
    view.state = state
    return view
