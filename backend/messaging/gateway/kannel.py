"""Kannel's HTTP sendsms (smsbox): Chinese as UCS-2 (coding=2, charset=UTF-8), long texts concatenated
(max-messages), and delivery reports (dlr-mask, dlr-url) called back on Songda's report endpoint."""

import math

import httpx

from backend.messaging.gateway.base import GatewayRefused, GatewayUnavailable, SmsGateway, Submission

UCS2_PART = 67  # characters per part of a concatenated UCS-2 message (70 in a single one)
# Reports wanted: 1 delivered, 2 not delivered, 8 accepted by the SMSC, 16 rejected by the SMSC.
DLR_MASK = 1 | 2 | 8 | 16
# Kannel's escapes in the dlr-url: report type, its time (epoch), the carrier's message id, SMSC's reply.
REPORT_QUERY = "type=%d&at=%T&smsc_id=%F&reply=%A"
POOL_SIZE = 32  # kept-alive connections to smsbox (senders of one process share them)


def parts_needed(text: str) -> int:
    return 1 if len(text) <= 70 else math.ceil(len(text) / UCS2_PART)


class KannelGateway(SmsGateway):
    """One per process (backend.messaging.gateway caches it), with one pool of kept-alive connections to
    smsbox: a new connection to smsbox's HTTP server costs about 100 ms before it answers, a kept one a
    millisecond or two, so senders on several threads share the pool instead of connecting per message."""

    def __init__(self, base_url: str, *, username: str, password: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.timeout = timeout
        limits = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE)
        self.client = httpx.Client(timeout=timeout, limits=limits)

    def send(self, *, to: str, text: str, sender: str, report_url: str) -> Submission:
        separator = "&" if "?" in report_url else "?"
        params = {
            "username": self.username,
            "password": self.password,
            "to": to,
            "from": sender,
            "text": text,
            "coding": "2",
            "charset": "UTF-8",
            "max-messages": str(max(parts_needed(text), 1)),
            "dlr-mask": str(DLR_MASK),
            "dlr-url": f"{report_url}{separator}{REPORT_QUERY}",
        }
        try:
            response = self.client.get(f"{self.base_url}/cgi-bin/sendsms", params=params)
        except httpx.HTTPError as error:
            raise GatewayUnavailable(f"短信网关（Kannel）无法连接：{error}") from error
        reply = response.text.strip()
        if response.status_code == 202:
            return Submission(gateway_id=None, reply=reply)
        if response.status_code >= 500:
            raise GatewayUnavailable(f"短信网关（Kannel）暂不可用：{response.status_code} {reply}")
        raise GatewayRefused(f"短信网关（Kannel）拒绝发送：{response.status_code} {reply}")
