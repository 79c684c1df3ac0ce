from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    agent = "agent"  # 服务专员 (phone)
    field_officer = "field_officer"  # 送达人员 (in person)
    clerk = "clerk"  # court staff: read their court's cases, create deliveries


ROLE_LABELS = {
    Role.admin: "系统管理员",
    Role.supervisor: "主管",
    Role.agent: "服务专员",
    Role.field_officer: "外出送达人员",
    Role.clerk: "法院书记员",
}

ALL_ROLES = frozenset(Role)
STAFF_ROLES = frozenset({Role.admin, Role.supervisor})
