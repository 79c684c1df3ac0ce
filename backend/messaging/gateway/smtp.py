"""E-mail through an SMTP server: the Message-ID is Songda's, the server's reply to DATA is kept."""

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from backend.messaging.gateway.base import EmailGateway, GatewayRefused, GatewayUnavailable, Submission


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {text}"


class SmtpGateway(EmailGateway):
    def __init__(self, host: str, port: int, *, timeout: float = 15.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    def send(self, *, to: str, subject: str, text: str, sender: str, message_id: str) -> Submission:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = sender, to, subject
        mail["Message-ID"], mail["Date"] = message_id, formatdate(localtime=False)
        mail.set_content(text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.ehlo()
                code, message = smtp.mail(sender)
                self._check(code, message)
                code, message = smtp.rcpt(to)
                self._check(code, message)
                code, message = smtp.data(mail.as_bytes())
                self._check(code, message)
        except (OSError, smtplib.SMTPServerDisconnected) as error:
            raise GatewayUnavailable(f"邮件服务器无法连接：{error}") from error
        return Submission(gateway_id=message_id, reply=_reply(code, message), arrived=True)

    @staticmethod
    def _check(code: int, message: bytes) -> None:
        if 400 <= code < 500:
            raise GatewayUnavailable(f"邮件服务器暂时拒绝：{_reply(code, message)}")
        if code >= 500:
            raise GatewayRefused(f"邮件被拒收：{_reply(code, message)}")
