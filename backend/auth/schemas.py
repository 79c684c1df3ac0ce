from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.auth.roles import Role


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    role: Role
    court_id: int | None
    agent_group: str | None
    sip_extension: str | None
    is_active: bool
    locked_until: datetime | None
    last_login_at: datetime | None


class LoginResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserRead


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    full_name: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=200)
    court_id: int | None = None
    agent_group: str | None = None
    sip_extension: str | None = Field(default=None, pattern=r"^\d{3,8}$")


class UserUpdate(BaseModel):
    """The fields to change; a field left out stays as it is. Name, role and status cannot be emptied."""

    full_name: str | None = Field(default=None, min_length=1, max_length=64)
    role: Role | None = None
    court_id: int | None = None
    agent_group: str | None = None
    sip_extension: str | None = Field(default=None, pattern=r"^\d{3,8}$")
    is_active: bool | None = None

    @model_validator(mode="after")
    def _no_emptied_required_field(self) -> Self:
        emptied = [name for name in ("full_name", "role", "is_active") if name in self.model_fields_set]
        if any(getattr(self, name) is None for name in emptied):
            raise ValueError("姓名、角色和启用状态不能置空")
        return self


class PasswordChange(BaseModel):
    password: str = Field(min_length=8, max_length=200)
