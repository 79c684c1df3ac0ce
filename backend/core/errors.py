"""The service layer's refusals; views turn them into HTTP statuses (backend.cases.http)."""


class NotVisible(LookupError):
    """The object does not exist or lies outside the caller's scope (HTTP 404)."""

    def __init__(self, what: str = "记录") -> None:
        super().__init__(f"{what}不存在")


class NotPermitted(PermissionError):
    """The caller sees the object but may not change it (HTTP 403)."""


class RuleViolation(ValueError):
    """A change the service rules refuse in the current state (HTTP 409)."""


class InvalidRequest(ValueError):
    """The request does not fit the data: a party of another case, a wrong outcome (HTTP 422)."""
