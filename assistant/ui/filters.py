"""The filters as the page gives them (chosen outlets, two date pickers), read into the API's keyword arguments, or
into a message saying what is wrong with them: never an error that blocks the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

INCOMPLETE = "incomplete"  # what the page's date picker sends for a date only partly filled in


@dataclass(frozen=True)
class ChosenFilters:
    outlets: tuple[str, ...] = ()
    after: date | None = None
    before: date | None = None

    def kwargs(self) -> dict:
        return {
            "source": list(self.outlets) or None,
            "published_after": self.after,
            "published_before": self.before,
        }

    def describe(self) -> str:
        """'Outlets: Reuters, Wired · from 2025-06-01 · to 2025-06-30', or '' without filters."""
        parts = []
        if self.outlets:
            parts.append("Outlets: " + ", ".join(self.outlets))
        if self.after:
            parts.append(f"from {self.after.isoformat()}")
        if self.before:
            parts.append(f"to {self.before.isoformat()}")
        return " · ".join(parts)


def read_filters(outlets: list[str] | None, after: str | None, before: str | None) -> ChosenFilters | str:
    """The filters, or what is wrong with them, said in one line."""
    dates: list[date | None] = []
    for label, value in (("“Published on or after”", after), ("“Published on or before”", before)):
        text = (value or "").strip()
        if not text:
            dates.append(None)
        elif text == INCOMPLETE:
            return f"{label} is only partly filled in: pick a day, month and year, or clear it."
        else:
            try:
                dates.append(date.fromisoformat(text))
            except ValueError:
                return f"{label}: “{text}” is not a date. Pick one from the calendar (YYYY-MM-DD)."
    first, last = dates
    if first and last and first > last:
        return f"“Published on or after” ({first}) is later than “Published on or before” ({last})."
    return ChosenFilters(tuple(o for o in outlets or () if o), first, last)
