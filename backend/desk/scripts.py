"""What the agent reads out (通话话术), by who is on the line: a person is asked whether they are the party
and for the last digits of their ID; an organisation (法人、非法人组织) for who is speaking and whether
they may receive documents for it, checked against its credit code; an agent or lawyer (诉讼代理人) for
their practising certificate or power of attorney."""

from backend.auth.models import User
from backend.cases.enums import CaseType
from backend.core.clock import BEIJING
from backend.deliveries.models import Delivery
from backend.documents.enums import NOT_SERVABLE_BY_PHONE
from backend.parties.enums import LitigationRole, PartyType
from backend.parties.models import Party

ORGANISATIONS = frozenset({PartyType.legal_person, PartyType.unincorporated})


def identity_lines(party: Party) -> list[str]:
    """How the agent makes sure who answers, for this kind of party."""
    if party.litigation_role is LitigationRole.agent:
        return [
            f"请问是{party.name}吗？您作为本案的诉讼代理人，我们依授权委托向您送达。",
            "（核实身份：请对方报出律师执业证号或授权委托书编号后四位，并确认代理权限包括代为签收文书）",
        ]
    if party.party_type in ORGANISATIONS:
        return [
            f"请问是{party.name}吗？请问您怎么称呼，在单位担任什么职务？",
            "（核实身份：请对方报出统一社会信用代码后四位；接听人须为法定代表人、主要负责人，"
            "或负责收件的人员，请登记其姓名与职务）",
            "如您无权代表单位签收，请告知法定代表人、负责人或诉讼代理人的联系方式。",
        ]
    return [f"请问是{party.name}本人吗？（核实身份：请对方报出身份证号后四位）"]


def script(delivery: Delivery, agent: User) -> str:
    """What the agent reads out: who calls, who answers, about what, and which channel to offer."""
    case, party = delivery.case, delivery.party
    documents = "、".join(document.name for document in delivery.documents) or "诉讼文书"
    whose = "贵单位" if party.party_type in ORGANISATIONS else "您"
    lines = [
        f"您好，这里是{case.court.name}一站式送达中心，我是服务专员{agent.full_name}，本次通话将全程录音。",
        *identity_lines(party),
        f"{whose}在{case.case_number}「{case.cause}」一案中有{documents}需要送达。",
    ]
    if case.hearing_at is not None:
        lines.append(f"本案开庭时间为{case.hearing_at.astimezone(BEIJING):%Y年%m月%d日 %H:%M}，请准时到庭。")
    if case.case_type is CaseType.commercial:
        lines.append("商事案件优先电子送达：请确认接收文书的手机号或电子邮箱，并同意以电子方式接收文书。")
    else:
        lines.append(
            "您可以选择：① 电子送达（短信/邮箱接收，最快捷）；② 预约到法院窗口领取；"
            "③ 确认邮寄地址由 EMS 寄送。"
        )
    if any(document.kind in NOT_SERVABLE_BY_PHONE for document in delivery.documents):
        lines.append("注意：判决书、裁定书、调解书不能电话送达，须通过上述方式之一送达。")
    lines.append("感谢您的配合。如有疑问可致电本院诉讼服务中心。")
    return "\n".join(lines)
