"""Login, logout, the current user; and the admin's user management."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from backend.audit import service as audit_service
from backend.auth import service as auth_service
from backend.auth.dependencies import CurrentUser, client_ip, secured_router
from backend.auth.models import User
from backend.auth.roles import ALL_ROLES, Role
from backend.auth.schemas import LoginRequest, LoginResponse, PasswordChange, UserCreate, UserRead, UserUpdate
from backend.database import SessionDep

public_router = APIRouter(prefix="/api/auth", tags=["登录"])
session_router = secured_router(prefix="/api/auth", tags=["登录"], roles=ALL_ROLES)
users_router = secured_router(prefix="/api/users", tags=["用户管理"], roles={Role.admin})


@public_router.post(
    "/login",
    response_model=LoginResponse,
    responses={401: {"description": "登录失败"}, 429: {"description": "失败次数过多，请稍后再试"}},
)
def login(body: LoginRequest, request: Request, db_session: SessionDep) -> LoginResponse | JSONResponse:
    result = auth_service.login(
        db_session=db_session, username=body.username, password=body.password, client_ip=client_ip(request)
    )
    if result.retry_after:  # returned, not raised, so that the audit row is committed
        headers = {"Retry-After": str(result.retry_after)}
        return JSONResponse(
            {"detail": result.error}, status_code=status.HTTP_429_TOO_MANY_REQUESTS, headers=headers
        )
    if result.error is not None or result.user is None or result.token is None or result.expires_at is None:
        return JSONResponse({"detail": result.error}, status_code=status.HTTP_401_UNAUTHORIZED)
    return LoginResponse(
        token=result.token, expires_at=result.expires_at, user=UserRead.model_validate(result.user)
    )


@session_router.get("/me", response_model=UserRead)
def me(user: CurrentUser) -> User:
    return user


@session_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request,
    user: CurrentUser,
    db_session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(HTTPBearer())],
) -> None:
    auth_service.revoke_token(db_session=db_session, raw_token=credentials.credentials)
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="logout",
        object_type="user",
        object_id=user.id,
        client_ip=client_ip(request),
    )


@users_router.get("", response_model=list[UserRead])
def list_users(db_session: SessionDep, role: Role | None = None) -> list[User]:
    query = select(User).order_by(User.username)
    if role is not None:
        query = query.where(User.role == role)
    return list(db_session.scalars(query))


@users_router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, user: CurrentUser, db_session: SessionDep) -> User:
    try:
        created = auth_service.create_user(db_session=db_session, **body.model_dump())
    except auth_service.UserExists as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="user_created",
        object_type="user",
        object_id=created.id,
        detail={"username": created.username, "role": created.role.value},
    )
    return created


def _user_or_404(db_session: SessionDep, user_id: int) -> User:
    target = db_session.get(User, user_id)
    if target is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "用户不存在")
    return target


@users_router.patch("/{user_id}", response_model=UserRead)
def update_user(user_id: int, body: UserUpdate, user: CurrentUser, db_session: SessionDep) -> User:
    target = _user_or_404(db_session, user_id)
    changes = body.model_dump(exclude_unset=True)
    active = changes.pop("is_active", None)
    if target.id == user.id and (active is False or changes.get("role", target.role) != target.role):
        raise HTTPException(status.HTTP_409_CONFLICT, "不能停用自己的账户或更改自己的角色")
    for field, value in changes.items():
        setattr(target, field, value)
    if active is not None:
        auth_service.set_active(db_session=db_session, user=target, active=active)
        changes["is_active"] = active
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="user_updated",
        object_type="user",
        object_id=target.id,
        detail={key: str(value) for key, value in changes.items()},
    )
    return target


@users_router.post("/{user_id}/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(user_id: int, body: PasswordChange, user: CurrentUser, db_session: SessionDep) -> None:
    target = _user_or_404(db_session, user_id)
    auth_service.set_password(db_session=db_session, user=target, password=body.password)
    audit_service.record(
        db_session=db_session, actor=user, action="password_reset", object_type="user", object_id=target.id
    )


@users_router.post("/{user_id}/unlock", response_model=UserRead)
def unlock_user(user_id: int, user: CurrentUser, db_session: SessionDep) -> User:
    target = _user_or_404(db_session, user_id)
    auth_service.unlock(user=target)
    audit_service.record(
        db_session=db_session, actor=user, action="user_unlocked", object_type="user", object_id=target.id
    )
    return target
