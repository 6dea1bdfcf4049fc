"""Demo data for `manage.py loaddemo`.

- `facilities` and `letters`: the three organizations from the public pages in
  /work/shared/seeds (City of Hope, Keck Medicine of USC, Dana-Farber), with their policies,
  deadlines, closures and letter texts;
- `cast` and `people`: the nine logins, the patients and the requesters, and their loading;
- `generator`, `details`, `scenarios`, `steps` and `retime`: the ~200 requests, planned from
  one seeded random.Random, created only by request_submit, moved only by the transition
  services, then given plausible timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LoadReport:
    """What a loading step created, for the command's summary."""

    created: dict[str, int] = field(default_factory=dict)

    def count(self, label: str, was_created: bool) -> None:
        if was_created:
            self.created[label] = self.created.get(label, 0) + 1
