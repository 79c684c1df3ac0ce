"""Request authentication and role checks; every router declares the roles it admits."""

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.audit import service as audit_service
from backend.auth import service as auth_service
from backend.auth.models import User
from backend.auth.roles import Role
from backend.database import SessionDep, get_session

_bearer = HTTPBearer(auto_error=False, description="登录后获得的令牌")


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_user(
    request: Request,
    db_session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user behind the bearer token, or 401."""
    user = None
    if credentials is not None:
        user = auth_service.user_for_token(db_session=db_session, raw_token=credentials.credentials)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "未登录或登录已失效", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def _audit_denied(user: User, request: Request) -> None:
    with get_session() as session:
        audit_service.record(
            db_session=session,
            actor=None,
            actor_username=user.username,
            action="access_denied",
            client_ip=client_ip(request),
            detail={"method": request.method, "path": request.url.path, "role": user.role.value},
        )


def require_roles(*roles: Role) -> Callable[..., User]:
    """A dependency admitting only ROLES; refusals are audited."""
    allowed = frozenset(roles)

    def check(request: Request, user: CurrentUser) -> User:
        if user.role not in allowed:
            _audit_denied(user, request)
            raise HTTPException(status.HTTP_403_FORBIDDEN, "当前角色无权执行此操作")
        return user

    return check


class SecuredRouter(APIRouter):
    """An APIRouter whose every route requires one of `allowed_roles`."""

    def __init__(self, *, roles: Iterable[Role], **kwargs: Any) -> None:
        self.allowed_roles = frozenset(roles)
        dependencies = [*kwargs.pop("dependencies", []), Depends(require_roles(*self.allowed_roles))]
        super().__init__(dependencies=dependencies, **kwargs)


def secured_router(*, prefix: str, tags: list[str], roles: Iterable[Role]) -> SecuredRouter:
    return SecuredRouter(prefix=prefix, tags=list(tags), roles=roles)
