"""An aggregator (快递100 style): electronic waybill orders, polling by number, pushed status.

Orders: form POST `{base}/label/order?method=order` with `key`, `t`, `param` (JSON) and
`sign` = MD5(param + t + key + secret) upper-case; the answer carries `data.kuaidinum`.
Queries: form POST `{base}/poll/query.do` with `customer`, `param` ({"com", "num"}) and
`sign` = MD5(param + key + customer) upper-case. Pushes: form `param` ({"lastResult": {...}}) and
`sign` = MD5(param + salt) upper-case, answered with {"result": true, "returnCode": "200", ...}.
States: 0 in transit, 1 collected, 2 problem, 3 signed, 4 returned and signed, 5 out for delivery,
6 being returned, 14 refused.
"""

import hashlib
import hmac
import json
import re
from datetime import datetime
from typing import Any

import httpx

from backend.core.clock import BEIJING
from backend.postal.enums import TraceState
from backend.postal.gateway.base import (
    GatewayError,
    InvalidPush,
    Letter,
    Order,
    PostalGateway,
    PushAnswer,
    Trace,
)

STATES = {
    "0": TraceState.in_transit,
    "1": TraceState.in_transit,
    "2": TraceState.not_delivered,
    "3": TraceState.delivered,
    "4": TraceState.returned,
    "5": TraceState.out_for_delivery,
    "6": TraceState.not_delivered,  # on its way back: the return is final at 4
    "14": TraceState.refused,
}
SIGNER = re.compile(r"(?:签收人|收件人|代收人)(?:是|为)?[:：]\s*([^，,。；;\s]+)|(本人)签收")


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


def normalise(waybill_no: str, event: dict[str, Any]) -> Trace:
    code = str(event.get("statusCode", "0"))
    state = STATES.get(code, TraceState.in_transit)
    context = str(event.get("context", ""))
    found = SIGNER.search(context) if state is TraceState.delivered else None
    return Trace(
        waybill_no=waybill_no,
        op_time=datetime.strptime(str(event["time"]), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING),
        op_code=code,
        state=state,
        description=context,
        place=event.get("areaName") or None,
        signer=(found.group(1) or found.group(2)) if found else None,
        reason=context if state in (TraceState.not_delivered, TraceState.refused) else None,
    )


class Kuaidi100Gateway(PostalGateway):
    name = "kuaidi100"

    def __init__(
        self,
        base_url: str,
        *,
        customer: str,
        key: str,
        secret: str,
        salt: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.customer, self.key, self.secret, self.salt = customer, key, secret, salt
        self.client = httpx.Client(timeout=15.0, transport=transport)

    def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        try:
            response = self.client.post(f"{self.base_url}{path}", data=form)
            response.raise_for_status()
            answer: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise GatewayError(f"快递100 接口无法访问：{error}") from error
        return answer

    def create_order(self, letter: Letter) -> Order:
        param = json.dumps(
            {
                "kuaidicom": "ems",
                "orderId": letter.order_key,
                "recMan": {
                    "name": letter.recipient_name,
                    "mobile": letter.recipient_phone,
                    "printAddr": letter.recipient_address,
                },
                "sendMan": {
                    "name": letter.sender_name,
                    "mobile": letter.sender_phone,
                    "printAddr": letter.sender_address,
                },
                "cargo": letter.document_list,
                "remark": letter.case_number,
            },
            ensure_ascii=False,
        )
        t = str(int(datetime.now().timestamp() * 1000))
        form = {
            "key": self.key,
            "t": t,
            "param": param,
            "sign": md5_upper(param + t + self.key + self.secret),
        }
        answer = self._post("/label/order?method=order", form)
        if not answer.get("success"):
            raise GatewayError(
                f"快递100 拒绝下单：{answer.get('message') or '未知错误'}（{answer.get('code')}）"
            )
        data = answer["data"]
        return Order(waybill_no=str(data["kuaidinum"]), cost_fen=data.get("fee_fen"))

    def query_tracking(self, waybill_no: str) -> list[Trace]:
        param = json.dumps({"com": "ems", "num": waybill_no, "resultv2": "1"})
        form = {
            "customer": self.customer,
            "param": param,
            "sign": md5_upper(param + self.key + self.customer),
        }
        answer = self._post("/poll/query.do", form)
        if answer.get("message") != "ok":
            raise GatewayError(f"快递100 查询失败：{answer.get('message') or '未知错误'}")
        return [normalise(waybill_no, event) for event in answer.get("data") or []]

    def verify_push(self, body: bytes, form: dict[str, str], headers: dict[str, str]) -> list[Trace]:
        param = form.get("param", "")
        if not param or not hmac.compare_digest(form.get("sign", ""), md5_upper(param + self.salt)):
            raise InvalidPush("快递100 推送签名不符")
        try:
            result = json.loads(param)["lastResult"]
            return [normalise(str(result["nu"]), event) for event in result.get("data") or []]
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidPush(f"快递100 推送内容无法解析：{error}") from error

    def push_answer(self, accepted: bool) -> PushAnswer:
        answer = {
            "result": accepted,
            "returnCode": "200" if accepted else "500",
            "message": "成功" if accepted else "签名错误",
        }
        return PushAnswer(200, "application/json", json.dumps(answer, ensure_ascii=False))
