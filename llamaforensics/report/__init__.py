"""The health report: a static site anyone can open from disk, with no server and no network.

``write_report(con, out)`` writes an index (the health summary, new and fixed
since the last refresh, the largest root causes, the trend), a page per kind
of finding, a page per affected album (up to a limit), the category audit
with what each figure means, and the trend over the snapshot's refresh
history. plotly.js is copied from the installed plotly package, so the pages
work offline.
"""

from .site import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
