"""The electronic channel's periodic job (installed by backend.wiring): planned electronic attempts (the
router plans them for parties who confirmed an e-delivery address) begun every
SONGDA_ELECTRONIC_PASS_SECONDS."""

from backend.config import get_settings
from backend.core import schedule
from backend.electronic.tasks import START_ATTEMPTS_TASK

schedule.every(get_settings().electronic_pass_seconds, START_ATTEMPTS_TASK)
