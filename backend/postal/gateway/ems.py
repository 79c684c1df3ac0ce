"""EMS open API (EMS 司法专邮): form POST, SM4-encrypted payload, retCode.

Every call is a form POST to the base URL with `apiCode`, `senderNo`, `authorization`, `msgType`,
`timeStamp`, `version`, `userCode` and `logitcsInterface` = `|$4|` + base64(SM4-ECB(JSON + key)): the
secret key appended to the JSON before encryption is the signature EMS checks after decrypting. The answer
is JSON with `retCode` (`00000` on success), `retMsg` and `retBody`. API codes used: 060001 address
parsing (the order's receiver by province, city and county), 020003 create order, 040001 tracking by
waybill, 010004 the waybill's label as EMS prints it (100 x 180 mm, a PDF; we read it in base64 from
`retBody.labelPdf`, a field name to check against EMS's own documentation when the account is opened).
Pushed traces come as a form with `logistics_interface` ({"traces": [...]}) and `data_digest` =
base64(md5hex(logistics_interface + push key)).
"""

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

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

CREATE_ORDER = "020003"
LABEL = "010004"
TRACKING = "040001"
ADDRESS_PARSING = "060001"
OK = "00000"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
SIGNER = re.compile(r"(?:签收人|收件人|代收人)(?:是|为)?[:：]\s*([^，,。；;\s]+)|(本人)签收")


def sm4_encrypt(key: bytes, plaintext: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return encryptor.update(padder.update(plaintext) + padder.finalize()) + encryptor.finalize()


def sm4_decrypt(key: bytes, ciphertext: bytes) -> bytes:
    decryptor = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    return unpadder.update(padded) + unpadder.finalize()


def push_digest(body: str, key: str) -> str:
    """base64(md5hex(body + key)), as EMS signs its pushes."""
    return base64.b64encode(hashlib.md5((body + key).encode()).hexdigest().encode()).decode()


def normalise(event: dict[str, Any]) -> Trace:
    """An EMS event with Songda's state: 702 out for delivery, 704 delivered (or, mentioning 退回, the
    envelope back at the sender), 705 not delivered (拒收: refused), anything else in transit."""
    code = str(event.get("opCode", ""))
    text = f"{event.get('opName', '')} {event.get('opDesc', '')}"
    signer = None
    if code == "704":
        state = TraceState.returned if "退回" in text else TraceState.delivered
        found = SIGNER.search(text)
        signer = (found.group(1) or found.group(2)) if found else None
    elif code == "702":
        state = TraceState.out_for_delivery
    elif code == "705":
        state = TraceState.refused if "拒收" in text else TraceState.not_delivered
    else:
        state = TraceState.in_transit
    place = " ".join(str(event[key]) for key in ("opOrgCity", "opOrgName") if event.get(key)) or None
    return Trace(
        waybill_no=str(event["waybillNo"]),
        op_time=datetime.strptime(str(event["opTime"]), TIME_FORMAT).replace(tzinfo=BEIJING),
        op_code=code,
        state=state,
        description=str(event.get("opDesc") or event.get("opName") or ""),
        place=place,
        operator=event.get("operatorName") or None,
        signer=signer,
        reason=str(event.get("opDesc")) if state in (TraceState.not_delivered, TraceState.refused) else None,
    )


class EmsGateway(PostalGateway):
    name = "ems"

    def __init__(
        self,
        base_url: str,
        *,
        sender_no: str,
        authorization: str,
        secret_key: str,
        user_code: str,
        push_key: str,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.sender_no = sender_no
        self.authorization = authorization
        self.secret_key = secret_key
        self.key = base64.b64decode(secret_key)
        self.user_code = user_code
        self.push_key = push_key
        self.client = httpx.Client(timeout=15.0, transport=transport)

    def _call(self, api_code: str, content: dict[str, Any]) -> Any:
        plaintext = json.dumps(content, ensure_ascii=False) + self.secret_key
        payload = "|$4|" + base64.b64encode(sm4_encrypt(self.key, plaintext.encode())).decode()
        form = {
            "apiCode": api_code,
            "senderNo": self.sender_no,
            "authorization": self.authorization,
            "msgType": "JSON",
            "timeStamp": datetime.now(BEIJING).strftime(TIME_FORMAT),
            "version": "V1.0.0",
            "userCode": self.user_code,
            "logitcsInterface": payload,
        }
        try:
            response = self.client.post(self.base_url, data=form)
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise GatewayError(f"EMS 接口无法访问：{error}") from error
        if answer.get("retCode") != OK:
            raise GatewayError(
                f"EMS 拒绝请求：{answer.get('retMsg') or '未知错误'}（{answer.get('retCode')}）"
            )
        body = answer.get("retBody")
        return json.loads(body) if isinstance(body, str) else body

    def parse_address(self, whole: str) -> dict[str, str]:
        """EMS's address parsing (060001): province, city, county and the rest, as its orders need them."""
        body = self._call(ADDRESS_PARSING, {"wholeAddress": whole})
        return {key: str(body.get(key) or "") for key in ("prov", "city", "county", "address")}

    def create_order(self, letter: Letter) -> Order:
        try:
            receiver = self.parse_address(letter.recipient_address)
        except GatewayError as error:
            raise GatewayError(
                f"收件地址「{letter.recipient_address}」EMS 无法识别，请修正后再确认：{error}"
            ) from error
        content = {
            "logisticsOrderNo": letter.order_key,
            "bizProductNo": "10",  # 司法专邮
            "contentsAttribute": "3",  # documents
            "sender": {
                "name": letter.sender_name,
                "mobile": letter.sender_phone,
                "address": letter.sender_address,
            },
            "receiver": {"name": letter.recipient_name, "mobile": letter.recipient_phone, **receiver},
            "cargos": [{"cargoName": letter.document_list}],
            "remarks": letter.case_number,
        }
        body = self._call(CREATE_ORDER, content)
        postage = body.get("postage")
        return Order(
            waybill_no=str(body["waybillNo"]),
            cost_fen=round(float(postage) * 100) if postage is not None else None,
        )

    def query_tracking(self, waybill_no: str) -> list[Trace]:
        body = self._call(TRACKING, {"waybillNo": waybill_no})
        return [normalise(event) for event in body.get("responseItems") or []]

    def vendor_label(self, waybill_no: str) -> bytes | None:
        """EMS's own label of the waybill (010004), a PDF."""
        body = self._call(LABEL, {"waybillNo": waybill_no, "labelType": "100x180"})
        try:
            pdf = base64.b64decode(str(body["labelPdf"]), validate=True)
        except (KeyError, TypeError, ValueError) as error:
            raise GatewayError(f"EMS 面单内容无法读取：{error}") from error
        if not pdf.startswith(b"%PDF"):
            raise GatewayError("EMS 返回的面单不是 PDF 文件")
        return pdf

    def verify_push(self, body: bytes, form: dict[str, str], headers: dict[str, str]) -> list[Trace]:
        message = form.get("logistics_interface", "")
        digest = form.get("data_digest", "")
        if not message or not hmac.compare_digest(digest, push_digest(message, self.push_key)):
            raise InvalidPush("EMS 推送签名不符")
        try:
            traces = json.loads(message)["traces"]
            return [normalise(event) for event in traces]
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidPush(f"EMS 推送内容无法解析：{error}") from error

    def push_answer(self, accepted: bool) -> PushAnswer:
        answer = {"retCode": OK, "retMsg": "成功"} if accepted else {"retCode": "S0001", "retMsg": "签名错误"}
        return PushAnswer(200, "application/json", json.dumps(answer, ensure_ascii=False))
