"""Names shared by the intake modules: job states, the export's columns, the contact source."""

from enum import StrEnum


class JobStatus(StrEnum):
    queued = "queued"  # 排队中
    validating = "validating"  # 读取与校验
    writing = "writing"  # 写入数据库
    done = "done"  # 完成
    partial = "partial"  # 部分导入：只导入了无误的案件，其余案件被拒
    failed = "failed"  # 失败（文件有错误，未写入任何数据）


JOB_STATUS_LABELS = {
    JobStatus.queued: "排队中",
    JobStatus.validating: "校验中",
    JobStatus.writing: "写入中",
    JobStatus.done: "已完成",
    JobStatus.partial: "部分导入",
    JobStatus.failed: "失败",
}

FINISHED_STATUSES = frozenset({JobStatus.done, JobStatus.partial, JobStatus.failed})

# Contact points the court export lists carry this source; only they are retired by a later export.
COURT_EXPORT_SOURCE = "court_export"


class Column(StrEnum):
    """The export's headers, as the court system writes them."""

    case_number = "案号"
    cause = "案由"
    case_type = "案件类型"
    filed_on = "立案日期"
    judge = "承办法官"
    clerk = "书记员"
    party_name = "当事人"
    party_type = "当事人类型"
    role = "诉讼地位"
    id_number = "证件号码"
    phones = "联系电话"
    addresses = "送达地址"
    emails = "电子邮箱"
    documents = "待送达文书"
    hearing_at = "开庭时间"
    deadline = "送达期限"


# A file without one of these headers is refused as a whole.
REQUIRED_COLUMNS = (
    Column.case_number,
    Column.cause,
    Column.case_type,
    Column.filed_on,
    Column.party_name,
    Column.party_type,
    Column.role,
)

# Other spellings seen in court exports and hand-made sheets.
COLUMN_ALIASES: dict[str, Column] = {
    "案件编号": Column.case_number,
    "案件类别": Column.case_type,
    "立案时间": Column.filed_on,
    "承办人": Column.judge,
    "当事人名称": Column.party_name,
    "当事人姓名": Column.party_name,
    "当事人姓名/名称": Column.party_name,
    "证件号": Column.id_number,
    "身份证号码": Column.id_number,
    "证件号码/统一社会信用代码": Column.id_number,
    "电话": Column.phones,
    "联系方式": Column.phones,
    "手机号码": Column.phones,
    "地址": Column.addresses,
    "邮箱": Column.emails,
    "电子邮件": Column.emails,
    "送达文书": Column.documents,
    "文书": Column.documents,
    "开庭日期": Column.hearing_at,
    "送达截止日期": Column.deadline,
}
