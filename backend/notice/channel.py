"""The notice channel (公告送达): deemed served 30 days after publication, and not a day before."""

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from backend.core.clock import court_today
from backend.core.errors import RuleViolation
from backend.deliveries.channels import DeliveryChannel, RequiredFact, register
from backend.deliveries.enums import NOTICE_PERIOD, AttemptOutcome, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt

NOTICE_FACTS = (
    RequiredFact("publication", "公告载体（报纸、网站或公告栏）"),
    RequiredFact("published_on", "公告日期"),
    RequiredFact("notice_text", "公告内容"),
)


def deemed_served_on(published_on: date) -> date:
    return published_on + NOTICE_PERIOD


class NoticeChannel(DeliveryChannel):
    method = DeliveryMethod.notice
    proof_title = "公告送达证明"
    facts_by_outcome = MappingProxyType({AttemptOutcome.served: NOTICE_FACTS})

    def legal_service_date(self, *, attempt: DeliveryAttempt, facts: Mapping[str, str]) -> date:
        deemed = deemed_served_on(date.fromisoformat(facts["published_on"][:10]))
        if deemed > court_today():
            raise RuleViolation(f"公告期未满，{deemed.isoformat()} 起视为送达")
        return deemed


register(NoticeChannel())
