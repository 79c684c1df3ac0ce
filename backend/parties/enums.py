from enum import StrEnum


class PartyType(StrEnum):
    natural_person = "natural_person"  # 自然人
    legal_person = "legal_person"  # 法人
    unincorporated = "unincorporated"  # 非法人组织


class LitigationRole(StrEnum):
    plaintiff = "plaintiff"  # 原告 / 申请人 / 申请执行人
    defendant = "defendant"  # 被告 / 被申请人 / 被执行人
    third_party = "third_party"  # 第三人
    appellant = "appellant"  # 上诉人
    appellee = "appellee"  # 被上诉人
    agent = "agent"  # 代理人


class ContactKind(StrEnum):
    phone = "phone"
    address = "address"
    email = "email"


class ContactState(StrEnum):
    unverified = "unverified"
    verified = "verified"
    invalid = "invalid"


class ContactEventKind(StrEnum):
    added = "added"
    verified = "verified"
    invalidated = "invalidated"
    reinstated = "reinstated"
    retired = "retired"  # no longer listed by its source; kept with its history
    relisted = "relisted"


PARTY_TYPE_LABELS = {
    PartyType.natural_person: "自然人",
    PartyType.legal_person: "法人",
    PartyType.unincorporated: "非法人组织",
}

LITIGATION_ROLE_LABELS = {
    LitigationRole.plaintiff: "原告",
    LitigationRole.defendant: "被告",
    LitigationRole.third_party: "第三人",
    LitigationRole.appellant: "上诉人",
    LitigationRole.appellee: "被上诉人",
    LitigationRole.agent: "代理人",
}
