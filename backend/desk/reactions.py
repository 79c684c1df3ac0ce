"""What the desk does when an earlier domain announces something: a returned e-mail becomes a task."""

from backend.core import signals
from backend.desk.tasks import BOUNCE_TASK
from backend.messaging.signals import MessageBounced

signals.listen(MessageBounced, BOUNCE_TASK)
