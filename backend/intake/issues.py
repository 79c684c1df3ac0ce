"""Row errors and warnings as the clerk sees them: row number, column, cell value, message."""

from dataclasses import dataclass
from typing import Any

# Enough for a clerk to fix a file; the totals are always reported in full.
MAX_REPORTED_ISSUES = 2000


@dataclass(slots=True, frozen=True)
class RowIssue:
    """One problem; row None is the file itself (a missing header, an unreadable file...)."""

    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


def shown_value(value: object) -> str | None:
    """The cell as text for the report, shortened."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= 100 else text[:99] + "…"


def issues_as_dicts(issues: list[RowIssue]) -> list[dict[str, Any]]:
    """The first MAX_REPORTED_ISSUES issues in row order, as JSON-ready dicts."""
    ordered = sorted(issues, key=lambda issue: (issue.row or 0, issue.column or ""))
    return [issue.as_dict() for issue in ordered[:MAX_REPORTED_ISSUES]]


class FileRejected(Exception):
    """The file cannot be imported at all (unreadable, wrong format, a required header missing)."""

    def __init__(self, issues: list[RowIssue]) -> None:
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = issues
