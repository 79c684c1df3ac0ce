"""Cutting the AMI TCP connection mid-call: reconnect, resync from CoreShowChannels, a complete call
record, and no event recorded twice."""

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from backend import database
from backend.calls.models import CallRecord
from telephony.softphone import AgentSoftphone
from tests.polling import poll_until
from tests.telephony.calls.conftest import LONG_CLIP, SHORT_CLIP, CallWorld, TelephonyApp, TelephonyAppFactory
from tests.telephony.calls.tcp_proxy import CuttableTcpProxy
from tests.telephony.conftest import AsteriskUnderTest

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

NUMBER = "13800138000"


@pytest.fixture()
def proxy(asterisk: AsteriskUnderTest) -> Iterator[CuttableTcpProxy]:
    """Songda reaches AMI through this proxy, so a test can cut the TCP connection."""
    tcp_proxy = CuttableTcpProxy((asterisk.settings.ami_host, asterisk.settings.ami_port))
    yield tcp_proxy
    tcp_proxy.close()


def event_log(call_id: str) -> list[dict[str, Any]]:
    with database.get_session() as session:
        record = session.scalar(select(CallRecord).where(CallRecord.call_id == call_id))
        assert record is not None
        return list(record.event_log)


def wait_reconnected(app: TelephonyApp, sessions_before: int) -> None:
    ami = app.runtime.control.ami
    poll_until(
        lambda: ami.is_up and ami.stats.connects > sessions_before, timeout=15, what="AMI never reconnected"
    )


def test_connection_cut_while_talking_loses_nothing(
    telephony_app_on: TelephonyAppFactory,
    proxy: CuttableTcpProxy,
    call_world: CallWorld,
    softphone: Callable[..., AgentSoftphone],
) -> None:
    softphone("1006")
    with telephony_app_on(ami_port=proxy.port) as app:
        agent = app.agent("1006")
        placed = app.place_call(agent, attempt_id=call_world.attempt_id, number=NUMBER, clip=LONG_CLIP)
        call_id = placed.json()["call_id"]
        app.wait_record(agent, call_id, lambda r: r["status"] == "talking", timeout=20)
        sessions = app.runtime.control.ami.stats.connects

        proxy.cut()
        wait_reconnected(app, sessions)
        live = app.client.get("/api/calls/live", headers=agent).json()
        assert [(c["call_id"], c["state"]) for c in live] == [(call_id, "talking")]
        record = app.wait_finished(agent, call_id)

    assert proxy.accepted == 2
    assert (record["outcome"], record["dial_status"], record["hangup_cause"]) == ("answered", "ANSWER", 16)
    assert record["recording_status"] == "complete" and record["counts_as_phone_delivery"] is True
    assert record["talk_seconds"] >= 8  # the party's 8.75 s clip, across the outage
    log = event_log(call_id)
    kinds = Counter(entry["type"] for entry in log)
    assert kinds.pop("HungUp") == 2 and set(kinds.values()) == {1}
    assert len({entry["key"] for entry in log}) == len(log)
    assert not any(entry["resynced"] for entry in log)  # the resync found nothing it had not seen


def test_hang_up_during_the_outage_is_concluded_after_resync(
    telephony_app_on: TelephonyAppFactory,
    proxy: CuttableTcpProxy,
    call_world: CallWorld,
    softphone: Callable[..., AgentSoftphone],
) -> None:
    phone = softphone("1006")
    with telephony_app_on(ami_port=proxy.port) as app:
        agent = app.agent("1006")
        placed = app.place_call(agent, attempt_id=call_world.attempt_id, number=NUMBER, clip=SHORT_CLIP)
        call_id = placed.json()["call_id"]
        app.wait_record(agent, call_id, lambda r: r["status"] == "talking", timeout=20)
        sessions = app.runtime.control.ami.stats.connects

        proxy.refusing = True
        proxy.cut()
        assert phone.ended.wait(15), "the call did not end during the outage"
        proxy.refusing = False
        wait_reconnected(app, sessions)
        record = app.wait_finished(agent, call_id)

    assert record["status"] == "ended" and record["outcome"] == "answered"
    assert record["recording_status"] == "complete" and record["counts_as_phone_delivery"] is True
    # The hang-up itself was never seen: the dialplan's result kept in AstDB gives the real cause.
    assert (record["dial_status"], record["hangup_cause"]) == ("ANSWER", 16)
    ended = [entry for entry in event_log(call_id) if entry["type"] == "CallEnded"]
    assert len(ended) == 1 and ended[0]["resynced"] is True
    assert app.runtime.control.live_calls() == []
