"""The portal's periodic job (installed by backend.wiring): every 5 minutes, electronic attempts viewed
but left unsigned for SONGDA_PORTAL_SIGN_WAIT_MINUTES are served on their first view."""

from backend.core import schedule
from backend.portal.tasks import SERVE_VIEWED_TASK

SERVE_VIEWED_PASS_SECONDS = 5 * 60

schedule.every(SERVE_VIEWED_PASS_SECONDS, SERVE_VIEWED_TASK)
