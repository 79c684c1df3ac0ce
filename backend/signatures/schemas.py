from typing import Any

from pydantic import BaseModel, Field


class SignatureCapture(BaseModel):
    """What agent_desk/frontend/src/lib/signature.js sends: signature_pad's strokes and the drawn PNG."""

    strokes: list[dict[str, Any]] = Field(min_length=1, max_length=500, description="signature_pad toData()")
    png_data_url: str = Field(max_length=1_500_000, description="data:image/png;base64,...")
