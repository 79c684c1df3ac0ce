"""Document files beside the sheet (a folder or a zip), matched to 待送达文书 by case number and name.

A file belongs to a case when
- one of its folders is named by the case number: (2026)京0102民初1号/传票.pdf, or
- its own name starts with the case number: (2026)京0102民初1号_传票.pdf, …-传票.pdf, … 传票.pdf.
Parentheses may be full-width or missing in names. The rest of the name (without extension) is
compared with the document name after NFKC, without spaces and case-insensitively; a document
name written with its extension (传票.pdf) must match the whole file name.
"""

import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from backend.intake.issues import RowIssue
from backend.intake.normalize import clean_text
from backend.intake.vocabulary import loose_case_number

IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
PREFERRED_SUFFIXES = (".pdf", ".ofd", ".docx", ".doc", ".wps", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
DocumentKey = tuple[str, str]  # (case number, document name as in the sheet)


@dataclass(slots=True, frozen=True)
class DocumentFile:
    """A file found beside the sheet and the case it belongs to."""

    path: str  # inside the folder or zip, with forward slashes
    case_number: str
    stem: str  # comparable form of the name without extension
    suffix: str  # lower-case, with the dot

    @property
    def full_name(self) -> str:
        return self.stem + comparable(self.suffix)


class DocumentSource(ABC):
    """A folder or a zip of document files."""

    @abstractmethod
    def paths(self) -> Iterator[str]: ...

    @abstractmethod
    def open(self, path: str) -> IO[bytes]: ...

    def close(self) -> None:
        return None


class FolderSource(DocumentSource):
    def __init__(self, root: Path) -> None:
        self.root = root

    def paths(self) -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                yield path.relative_to(self.root).as_posix()

    def open(self, path: str) -> IO[bytes]:
        return (self.root / path).open("rb")


class ZipSource(DocumentSource):
    """A zip; names written by Windows tools without the UTF-8 flag are GBK and are decoded as such."""

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path)
        self.members = {_member_name(info): info for info in self.archive.infolist() if not info.is_dir()}

    def paths(self) -> Iterator[str]:
        yield from sorted(self.members)

    def open(self, path: str) -> IO[bytes]:
        return self.archive.open(self.members[path])

    def close(self) -> None:
        self.archive.close()


def _member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def open_source(path: Path) -> DocumentSource:
    """A folder or a .zip file of documents."""
    if path.is_dir():
        return FolderSource(path)
    if zipfile.is_zipfile(path):
        return ZipSource(path)
    raise ValueError(f"文书路径「{path.name}」既不是文件夹也不是zip压缩包")


def comparable(name: str) -> str:
    """A name as compared: NFKC, no spaces, case-folded."""
    return clean_text(name).replace(" ", "").casefold()


def _is_ignored(parts: tuple[str, ...]) -> bool:
    return parts[0] == "__MACOSX" or parts[-1].startswith(".") or parts[-1].lower() in IGNORED_NAMES


def identify(path: str) -> DocumentFile | None:
    """The case and name of the file at PATH, or None when neither its folders nor its name give a case."""
    parts = PurePosixPath(path).parts
    if not parts or _is_ignored(parts):
        return None
    file_path = PurePosixPath(parts[-1])
    stem, suffix = file_path.stem, file_path.suffix.lower()
    prefixed = _split_case_prefix(stem)
    folder_case = next((found for part in reversed(parts[:-1]) if (found := loose_case_number(part))), None)
    if prefixed is not None and (folder_case is None or prefixed[0] == folder_case):
        return DocumentFile(path, prefixed[0], comparable(prefixed[1]), suffix)
    if folder_case is not None:
        return DocumentFile(path, folder_case, comparable(stem), suffix)
    return None


def _split_case_prefix(stem: str) -> tuple[str, str] | None:
    for index, char in enumerate(stem):
        if char == "号" and (case_number := loose_case_number(stem[: index + 1])):
            rest = stem[index + 1 :].lstrip("_- ")
            return (case_number, rest) if rest else None
    return None


@dataclass(slots=True)
class DocumentMatches:
    files: dict[DocumentKey, DocumentFile]
    warnings: list[RowIssue]


def match_documents(source: DocumentSource, wanted: dict[DocumentKey, int]) -> DocumentMatches:
    """Pair each wanted (case number, document name) with a file; WANTED maps to its first row."""
    by_stem: dict[tuple[str, str], list[DocumentFile]] = {}
    by_full_name: dict[tuple[str, str], list[DocumentFile]] = {}
    warnings: list[RowIssue] = []
    for path in source.paths():
        found = identify(path)
        if found is None:
            if not _is_ignored(PurePosixPath(path).parts):
                warnings.append(
                    RowIssue(None, None, path, f"无法从文件「{path}」的名称或文件夹识别案号，已忽略")
                )
            continue
        by_stem.setdefault((found.case_number, found.stem), []).append(found)
        by_full_name.setdefault((found.case_number, found.full_name), []).append(found)
    matched: dict[DocumentKey, DocumentFile] = {}
    for (case_number, name), row in wanted.items():
        key = (case_number, comparable(name))
        candidates = by_full_name.get(key) or by_stem.get(key) or []
        if not candidates:
            message = f"文书「{name}」未找到对应文件，已创建无文件的文书记录"
            warnings.append(RowIssue(row, "待送达文书", name, message))
            continue
        chosen = min(candidates, key=_preference)
        matched[(case_number, name)] = chosen
        if len(candidates) > 1:
            message = f"文书「{name}」有{len(candidates)}个文件，使用「{chosen.path}」"
            warnings.append(RowIssue(row, "待送达文书", name, message))
    used = {file.path for file in matched.values()}
    for files in by_stem.values():
        for file in files:
            if file.path not in used:
                warnings.append(RowIssue(None, None, file.path, f"文件「{file.path}」未对应任何待送达文书"))
    return DocumentMatches(files=matched, warnings=warnings)


def _preference(file: DocumentFile) -> tuple[int, str]:
    rank = (
        PREFERRED_SUFFIXES.index(file.suffix)
        if file.suffix in PREFERRED_SUFFIXES
        else len(PREFERRED_SUFFIXES)
    )
    return rank, file.path
