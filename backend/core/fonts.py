"""The CJK font embedded in every PDF Songda prints (proofs, forms, labels): TrueType outlines (reportlab
cannot embed CFF/OTF fonts)."""

# mypy: disable-error-code="import-untyped"

from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from backend.config import get_settings

FONT_NAME = "SongdaCJK"
# Debian packages with TrueType CJK fonts, in order of preference.
CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),  # fonts-wqy-zenhei
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # fonts-wqy-microhei
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),  # fonts-arphic-uming
    Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),  # fonts-arphic-ukai
)


class MissingFont(RuntimeError):
    """No embeddable CJK font: proofs cannot be rendered."""


def cjk_font_path() -> Path:
    """The configured font (SONGDA_PROOF_FONT_PATH), else the first installed candidate."""
    configured = get_settings().proof_font_path
    if configured is not None:
        if not configured.is_file():
            raise MissingFont(f"SONGDA_PROOF_FONT_PATH 指向的字体文件不存在: {configured}")
        return configured
    for candidate in CANDIDATES:
        if candidate.is_file():
            return candidate
    raise MissingFont(
        "未找到可嵌入的中文 TrueType 字体，无法生成送达回证。"
        "请安装 fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei），"
        "或用 SONGDA_PROOF_FONT_PATH 指定一个 .ttf/.ttc 字体文件。"
    )


@lru_cache
def _register(path: Path) -> str:
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def cjk_font() -> str:
    """Register the CJK font with reportlab once and return its name."""
    return _register(cjk_font_path())
