"""A repair session: one root job in llama_logs that every correction applied in it hangs under."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .fields import canonical


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# Every repair session's root job id starts so: an id that does is a session's, not a correction's.
SESSION_PREFIX = "llamaforensics-repair-"


def new_session_job_id() -> str:
    return f"{SESSION_PREFIX}{uuid.uuid4()}"


@dataclass
class RepairSession:
    """Who repairs (``user_id``, an existing "User".id or None), under which root job, on which
    clock.

    It also remembers the ``updated_at`` values its own corrections wrote, so
    several corrections prepared against the same album state apply one after
    the other in one batch (each still checks the values it changes).
    """

    user_id: str | None = None
    job_id: str = field(default_factory=new_session_job_id)
    clock: Callable[[], datetime] = utc_now
    root_written: bool = False
    sequence: int = 0
    aliases: dict[str, dict[Any, set[Any]]] = field(default_factory=dict)

    def now(self) -> str:
        """Return the current time as stored (timestamp(3), UTC, ISO text)."""
        return canonical(self.clock())

    def same_updated_at(self, album_id: str, expected: Any, current: Any) -> bool:
        """Whether ``current`` is ``expected`` or stands for it (this session wrote it over
        ``expected``).
        """
        return expected == current or expected in self.aliases.get(album_id, {}).get(current, set())

    def remember_write(
        self, album_id: str, before: Any, after: Any, stands_for: Iterable[Any] = ()
    ) -> None:
        """Record that this session replaced ``updated_at`` ``before`` with ``after``."""
        known = self.aliases.setdefault(album_id, {})
        known[after] = {before, *stands_for} | known.get(before, set())
