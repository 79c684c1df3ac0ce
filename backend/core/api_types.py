"""Field types the API answers in more than one domain's schemas."""

from datetime import time
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

# A time of day at the court, answered as "HH:MM" (JSON Schema's "time" format would demand a UTC offset).
CourtTime = Annotated[
    time,
    PlainSerializer(lambda moment: moment.strftime("%H:%M"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{2}:\d{2}$", "description": "法院当地时间（北京时间），时:分"},
        mode="serialization",
    ),
]
