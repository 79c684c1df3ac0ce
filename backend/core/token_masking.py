"""No token in the server's logs: a filter on uvicorn's loggers masks anything in a logged request line
that looks like one (the access log's `GET /path?query`, and the `WebSocket /path?query` lines that
uvicorn writes to its error log).

Masked: the value of a query parameter named like a credential (`token`, `access_token`...), and any run
of 32 or more URL-safe characters elsewhere (a login token is 43). Kept: `h`, the chain-head hash printed
on a proof of service, which anyone holding the paper has and which unlocks nothing (the check it asks for
answers without personal data); the log then shows which hash a checker claimed."""

import logging
import re
from typing import Any

MASK = "***"
SECRET_PARAMETERS = frozenset(
    {"token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "password", "secret"}
)
PUBLIC_PARAMETERS = frozenset({"h"})
LOGGERS = ("uvicorn.access", "uvicorn.error")
_TOKEN_LIKE = r"[A-Za-z0-9_\-]{32,}"
_PARTS = re.compile(
    rf"(?<=[?&;])(?P<name>[^=&;#\s\"]+)=(?P<value>[^&;#\s\"]*)|(?P<bare>{_TOKEN_LIKE})",
)
_TOKEN = re.compile(_TOKEN_LIKE)


def mask_tokens(text: str) -> str:
    """TEXT with every token-looking part replaced by ***."""
    return _PARTS.sub(_masked, text)


def _masked(part: re.Match[str]) -> str:
    if part["bare"] is not None:
        return MASK
    name, value = part["name"], part["value"]
    if name.lower() in SECRET_PARAMETERS:
        return f"{name}={MASK}"
    if name.lower() in PUBLIC_PARAMETERS:
        return part[0]
    return f"{name}={_TOKEN.sub(MASK, value)}"


class TokenMasking(logging.Filter):
    """Masks tokens in a record's message and string arguments (in place: uvicorn's access formatter
    reads the arguments one by one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked_argument(argument) for argument in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _masked_argument(value) for key, value in record.args.items()}
        return True


def _masked_argument(argument: Any) -> Any:
    return mask_tokens(argument) if isinstance(argument, str) else argument


_FILTER = TokenMasking()


def install_token_masking() -> None:
    """Put the filter on uvicorn's loggers (once; uvicorn configures them before it loads the app)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
