"""Local doubles of the postal vendors that speak their documented protocols over real HTTP:

- EmsServer: EMS open API. Decrypts `logitcsInterface` (|$4| + base64 SM4-ECB), checks the secret key
  appended to the JSON (the signature), answers with retCode/retMsg/retBody; one order per
  logisticsOrderNo (a repeated one gets the first waybill), whose receiver must come parsed into province,
  city and county (060001 parses); tracking from scripted sequences; pushes
  signed as base64(md5hex(body + push key)).
- Kuaidi100Server: the aggregator's MD5-signed forms for orders, queries and pushes.
"""

import base64
import hashlib
import io
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

EMS_KEY = "c29uZ2RhLXRlc3Qta2V5IQ=="
EMS_SENDER = "1100099887766"
EMS_AUTH = "test-authorization-code"
EMS_PUSH_KEY = "push-secret"
# 060001 as EMS answers it for ordinary addresses: province (or municipality), city, county, the rest.
ADDRESS = re.compile(r"^(.{2,3}?(?:省|自治区|市))(.{2,8}?(?:市|自治州|地区))?(.{1,8}?(?:区|县|旗))(.+)$")


class _Server:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> "_Server":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, path: str, form: dict[str, str]) -> dict[str, Any] | None:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                fields = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                form = {key: values[0] for key, values in fields.items()}
                query = {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}
                answer = server.answer(urlsplit(self.path).path, {**query, **form})
                if answer is None:  # the connection drops after the work is done
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                body = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def ems_event(waybill: str, op_time: str, code: str, name: str, desc: str, **extra: str) -> dict[str, str]:
    return {
        "waybillNo": waybill,
        "opTime": op_time,
        "opCode": code,
        "opName": name,
        "opDesc": desc,
        "opOrgProvName": "北京市",
        "opOrgCity": "北京市",
        "opOrgName": extra.get("org", "北京西城区揽投部"),
        "operatorName": extra.get("operator", "李投递"),
    }


class EmsServer(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.key = base64.b64decode(EMS_KEY)
        self.orders: dict[str, str] = {}  # logisticsOrderNo -> waybillNo
        self.order_payloads: dict[str, dict[str, Any]] = {}
        self.create_calls = 0
        self.tracking: dict[str, list[dict[str, str]]] = {}
        self.drop_next_reply = False
        self.refuse_next_order: str | None = None

    def decrypt(self, payload: str) -> dict[str, Any] | None:
        if not payload.startswith("|$4|"):
            return None
        decryptor = Cipher(algorithms.SM4(self.key), modes.ECB()).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        try:
            padded = decryptor.update(base64.b64decode(payload[4:])) + decryptor.finalize()
            text = (unpadder.update(padded) + unpadder.finalize()).decode()
        except ValueError:
            return None
        if not text.endswith(EMS_KEY):  # the signature: the secret key appended before encryption
            return None
        content: dict[str, Any] = json.loads(text[: -len(EMS_KEY)])
        return content

    def answer(self, path: str, form: dict[str, str]) -> dict[str, Any] | None:
        if form.get("senderNo") != EMS_SENDER or form.get("authorization") != EMS_AUTH:
            return {"retCode": "S0001", "retMsg": "授权码无效", "retBody": None}
        content = self.decrypt(form.get("logitcsInterface", ""))
        if content is None:
            return {"retCode": "S0002", "retMsg": "签名验证失败", "retBody": None}
        if form.get("apiCode") == "020003":
            return self._create(content)
        if form.get("apiCode") == "060001":
            return self._parse(str(content.get("wholeAddress", "")))
        if form.get("apiCode") == "010004":
            return self._label(str(content.get("waybillNo")))
        if form.get("apiCode") == "040001":
            events = self.tracking.get(str(content.get("waybillNo")), [])
            return {"retCode": "00000", "retMsg": "成功", "retBody": json.dumps({"responseItems": events})}
        return {"retCode": "B0404", "retMsg": "接口编码不存在", "retBody": None}

    def _parse(self, whole: str) -> dict[str, Any]:
        found = ADDRESS.match(whole)
        if found is None:
            return {"retCode": "B0101", "retMsg": "地址解析失败", "retBody": None}
        prov, city, county, rest = found.groups()
        body = {"prov": prov, "city": city or prov, "county": county, "address": rest}
        return {"retCode": "00000", "retMsg": "成功", "retBody": json.dumps(body, ensure_ascii=False)}

    def _create(self, content: dict[str, Any]) -> dict[str, Any] | None:
        key = content.get("logisticsOrderNo")
        receiver = content.get("receiver", {})
        if not key or not all(receiver.get(part) for part in ("prov", "city", "county", "address")):
            return {"retCode": "B0001", "retMsg": "收件人省、市、区县及地址不能为空", "retBody": None}
        if self.refuse_next_order:
            message, self.refuse_next_order = self.refuse_next_order, None
            return {"retCode": "B0002", "retMsg": message, "retBody": None}
        with self.lock:
            self.create_calls += 1
            if key not in self.orders:
                self.orders[key] = f"11{len(self.orders) + 10**10:011d}"
                self.order_payloads[key] = content
            waybill = self.orders[key]
            drop, self.drop_next_reply = self.drop_next_reply, False
        if drop:
            return None
        body = {"waybillNo": waybill, "logisticsOrderNo": key, "postage": "18.50"}
        return {"retCode": "00000", "retMsg": "成功", "retBody": json.dumps(body)}

    def _label(self, waybill: str) -> dict[str, Any]:
        """EMS's own 100 x 180 mm label of an ordered waybill, as a PDF in base64."""
        if waybill not in self.orders.values():
            return {"retCode": "B0404", "retMsg": "运单号不存在", "retBody": None}
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=(100 * mm, 180 * mm))
        Code128(waybill, barHeight=15 * mm, barWidth=0.4 * mm).drawOn(canvas, 8 * mm, 150 * mm)
        canvas.setFont("Helvetica", 12)
        canvas.drawString(8 * mm, 140 * mm, f"EMS {waybill}")
        canvas.showPage()
        canvas.save()
        body = {"waybillNo": waybill, "labelPdf": base64.b64encode(buffer.getvalue()).decode()}
        return {"retCode": "00000", "retMsg": "成功", "retBody": json.dumps(body)}

    def push_form(self, events: list[dict[str, str]], key: str = EMS_PUSH_KEY) -> dict[str, str]:
        body = json.dumps({"traces": events}, ensure_ascii=False)
        digest = base64.b64encode(hashlib.md5((body + key).encode()).hexdigest().encode()).decode()
        return {"logistics_interface": body, "data_digest": digest}


K100_CUSTOMER, K100_KEY, K100_SECRET, K100_SALT = "CUST100", "key100", "secret100", "salt100"


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


class Kuaidi100Server(_Server):
    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[str, str] = {}
        self.tracking: dict[str, list[dict[str, str]]] = {}

    def answer(self, path: str, form: dict[str, str]) -> dict[str, Any] | None:
        param = form.get("param", "")
        if path == "/label/order":
            if form.get("sign") != md5_upper(param + form.get("t", "") + K100_KEY + K100_SECRET):
                return {"success": False, "code": 30002, "message": "签名错误"}
            order_id = json.loads(param)["orderId"]
            with self.lock:
                waybill = self.orders.setdefault(order_id, f"98{len(self.orders) + 10**10:011d}")
            return {
                "success": True,
                "code": 200,
                "message": "success",
                "data": {"kuaidinum": waybill, "taskId": order_id},
            }
        if path == "/poll/query.do":
            if form.get("sign") != md5_upper(param + K100_KEY + K100_CUSTOMER):
                return {"result": False, "returnCode": "501", "message": "签名错误"}
            number = json.loads(param)["num"]
            data = list(reversed(self.tracking.get(number, [])))  # newest first, as the aggregator sends
            state = data[0]["statusCode"] if data else "0"
            return {
                "message": "ok",
                "nu": number,
                "ischeck": "1",
                "state": state,
                "status": "200",
                "data": data,
            }
        return {"result": False, "returnCode": "404", "message": "not found"}

    def push_form(self, waybill: str, events: list[dict[str, str]], salt: str = K100_SALT) -> dict[str, str]:
        param = json.dumps(
            {
                "status": "polling",
                "message": "",
                "lastResult": {"nu": waybill, "state": events[-1]["statusCode"], "data": events},
            },
            ensure_ascii=False,
        )
        return {"param": param, "sign": md5_upper(param + salt)}


def running(factory: Callable[[], _Server]) -> _Server:
    return factory().start()
