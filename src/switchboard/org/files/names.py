"""What a file's name tells: its extension, Salesforce's FileType, its media type, and
whether PathOnClient is a plain name rather than a path escaping its folder."""

from __future__ import annotations

import mimetypes
import re

from .errors import InvalidPath

# Salesforce's FileType by extension (the common ones); others are UNKNOWN.
_FILE_TYPES = {
    "pdf": "PDF",
    "png": "PNG",
    "jpg": "JPG",
    "jpeg": "JPEG",
    "gif": "GIF",
    "bmp": "BMP",
    "txt": "TEXT",
    "csv": "CSV",
    "htm": "HTML",
    "html": "HTML",
    "xml": "XML",
    "json": "JSON",
    "zip": "ZIP",
    "doc": "WORD",
    "docx": "WORD_X",
    "xls": "EXCEL",
    "xlsx": "EXCEL_X",
    "ppt": "POWER_POINT",
    "pptx": "POWER_POINT_X",
    "rtf": "RTF",
    "mp4": "MP4",
    "mov": "MOV",
    "mp3": "MP3",
    "eml": "EML",
}
_DRIVE = re.compile(r"^[A-Za-z]:")


def extension(path: str | None) -> str | None:
    name = base_name(path or "")
    if "." not in name.strip("."):
        return None
    return name.rsplit(".", 1)[1].lower()[:40] or None


def file_type(path: str | None) -> str:
    ext = extension(path)
    return _FILE_TYPES.get(ext or "", "UNKNOWN")


def media_type(path: str | None) -> str:
    guessed, _ = mimetypes.guess_type(base_name(path or ""), strict=False)
    return guessed or "application/octet-stream"


def base_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def check_path(path: str | None, field: str = "PathOnClient") -> None:
    """Refuse a path that climbs out of its folder or names a root or device: the
    name may end up in a download's file name or an export's path."""
    if not path:
        return
    parts = path.replace("\\", "/").split("/")
    if (
        "\x00" in path
        or path.startswith(("/", "\\"))
        or _DRIVE.match(path)
        or any(p == ".." for p in parts)
        or not base_name(path).strip(". ")
    ):
        raise InvalidPath(
            f"{field}: enter a file name, not a path outside its folder: {path[:100]}",
            fields=[field],
        )


__all__ = ["base_name", "check_path", "extension", "file_type", "media_type"]
