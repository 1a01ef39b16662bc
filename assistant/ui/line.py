"""One model, many people asking: the local model answers one question at a time, so whoever needs it takes a
place in line and waits their turn, first come, first served, knowing how many are ahead."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class Ticket:
    """A place in line; ``doing`` says what its holder uses the model for, as the status shows it."""

    doing: str


class ModelLine:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._line: list[Ticket] = []

    def join(self, doing: str) -> Ticket:
        ticket = Ticket(doing)
        with self._lock:
            self._line.append(ticket)
        return ticket

    def leave(self, ticket: Ticket) -> None:
        """Frees the place, whether it held the model or still waited (stopped, or the page closed)."""
        with self._lock:
            if ticket in self._line:
                self._line.remove(ticket)

    def ahead(self, ticket: Ticket) -> int:
        """How many hold or wait for the model before this ticket: 0 when the model is its to use."""
        with self._lock:
            return self._line.index(ticket)

    def holder(self) -> Ticket | None:
        with self._lock:
            return self._line[0] if self._line else None

    def waiting(self) -> int:
        with self._lock:
            return max(len(self._line) - 1, 0)
