"""What one audit found and did (``AuditReport``): the audit Lambda's return value and log line."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AuditReport:
    """What one audit found and did."""

    jobs: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)  # (job id, time) newly recorded
    caught_up: list[tuple[str, str, str]] = field(default_factory=list)  # (job id, time, outcome)
    taken_over: list[tuple[str, str, str]] = field(default_factory=list)  # (job id, time, outcome)
    paused: list[str] = field(default_factory=list)
    notified: int = 0
    unaudited: int = 0  # jobs of the file this audit did not get through (the AuditIncomplete metric)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (the Lambda's return value)."""
        return {
            "jobs": self.jobs,
            "missed": [{"job_id": j, "time": t} for j, t in self.missed],
            "caught_up": [{"job_id": j, "time": t, "status": s} for j, t, s in self.caught_up],
            "taken_over": [{"job_id": j, "time": t, "status": s} for j, t, s in self.taken_over],
            "paused": self.paused,
            "notified": self.notified,
            "unaudited": self.unaudited,
            "errors": self.errors,
        }
