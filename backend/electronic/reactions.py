"""What the electronic channel does when messaging announces something: a notice's progress."""

from backend.core import signals
from backend.electronic.tasks import MESSAGE_PROGRESS_TASK
from backend.messaging.signals import MessageProgressed

signals.listen(MessageProgressed, MESSAGE_PROGRESS_TASK)
