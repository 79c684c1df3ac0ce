"""The service layer's refusals; views turn them into HTTP statuses (backend.cases.http)."""


class NotVisible(LookupError):
    """The object does not exist or lies outside the caller's scope (HTTP 404)."""

    def __init__(self, what: str = "记录") -> None:
        super().__init__(f"{what}不存在")


class NotPermitted(PermissionError):
    """The caller sees the object but may not change it (HTTP 403)."""


class RuleViolation(ValueError):
    """A change the service rules refuse in the current state (HTTP 409). CODE, when given, names the
    reason for screens that react to it (the answer carries it beside the Chinese message)."""

    code: str | None = None

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidRequest(ValueError):
    """The request does not fit the data: a party of another case, a wrong outcome (HTTP 422)."""
