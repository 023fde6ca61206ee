"""What an import did, counted as it goes, and the one error a bad file ends with."""

from collections import Counter
from dataclasses import dataclass, field


class PortingError(Exception):
    """A file pnyx cannot import. The message names the problem and where it is (line, column or item)."""


@dataclass
class Report:
    """Counts for the final summary: what was created, what was there already, what was left out and why."""

    source: str
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)
    unfetched: dict[str, str] = field(default_factory=dict)
    """Images ``--media`` could not bring in, by address, with the reason (``attachments``)."""

    def lines(self) -> list[str]:
        out = [f"Imported from {self.source}:"]
        out += _counted(self.created) or ["        nothing new"]
        sections = (
            ("Already here from an earlier import (left as they are):", self.existing),
            ("Skipped:", self.skipped),
            ("Worth knowing:", self.notes),
        )
        for title, counter in sections:
            if rows := _counted(counter):
                out += [title, *rows]
        if self.unfetched:
            out.append(f"Images not fetched ({len(self.unfetched)}; their posts keep linking to them where they were):")
            out += [f"  {url}: {reason}" for url, reason in sorted(self.unfetched.items())]
        return out


def _counted(counter: Counter) -> list[str]:
    return [f"  {n:>7} {what}" for what, n in sorted(counter.items()) if n]
