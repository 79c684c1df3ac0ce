"""In-memory gateways for the embedded default and the demo: they keep what they were given."""

from dataclasses import dataclass, field

from backend.messaging.gateway.base import EmailGateway, SmsGateway, Submission


@dataclass
class FakeSmsGateway(SmsGateway):
    sent: list[dict[str, str]] = field(default_factory=list)

    def send(self, *, to: str, text: str, sender: str, report_url: str) -> Submission:
        self.sent.append({"to": to, "text": text, "sender": sender, "report_url": report_url})
        # No carrier reports back to the embedded default: the fake gateway's answer is its delivered report.
        return Submission(
            gateway_id=f"fake-{len(self.sent)}", reply="0: Accepted for delivery (fake://)", arrived=True
        )


@dataclass
class FakeEmailGateway(EmailGateway):
    sent: list[dict[str, str]] = field(default_factory=list)

    def send(self, *, to: str, subject: str, text: str, sender: str, message_id: str) -> Submission:
        self.sent.append({"to": to, "subject": subject, "text": text, "message_id": message_id})
        return Submission(gateway_id=message_id, reply="250 OK (fake)", arrived=True)
