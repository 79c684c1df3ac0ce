"""An in-process postal vendor for demos and tests of the rest of the system (fake://)."""

import hashlib
import json
import threading

from backend.postal.gateway.base import InvalidPush, Letter, Order, PostalGateway, PushAnswer, Trace

_LOCK = threading.Lock()


class FakePostalGateway(PostalGateway):
    """Waybill numbers derived from the order key (so a retried order gets the same one), no events
    unless a test scripts them with `script`."""

    name = "fake"

    def __init__(self) -> None:
        self.orders: dict[str, Letter] = {}
        self.traces: dict[str, list[Trace]] = {}

    def create_order(self, letter: Letter) -> Order:
        with _LOCK:
            self.orders.setdefault(letter.order_key, letter)
        digits = int(hashlib.sha256(letter.order_key.encode()).hexdigest(), 16) % 10**9
        return Order(waybill_no=f"1{digits:09d}FK", cost_fen=2200)

    def script(self, waybill_no: str, traces: list[Trace]) -> None:
        self.traces[waybill_no] = list(traces)

    def query_tracking(self, waybill_no: str) -> list[Trace]:
        return list(self.traces.get(waybill_no, []))

    def verify_push(self, body: bytes, form: dict[str, str], headers: dict[str, str]) -> list[Trace]:
        raise InvalidPush("测试用邮政接口不接受推送")

    def push_answer(self, accepted: bool) -> PushAnswer:
        return PushAnswer(200 if accepted else 400, "application/json", json.dumps({"accepted": accepted}))
