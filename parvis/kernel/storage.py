"""Where uploads live: a local folder by default, S3-compatible object storage in production.

Keys are opaque paths such as ``projects/12/3f2a….jpg``; web workers hold no file of their own,
so any worker serves any upload.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from parvis.kernel.errors import InvalidInput, NotFound
from parvis.kernel.settings import Settings

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9/_\-.]{0,200}$")
IMAGE_TYPES = {  # magic bytes → (extension, media type)
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class Storage(Protocol):
    def save(self, key: str, data: bytes, media_type: str) -> None: ...

    def load(self, key: str) -> tuple[bytes, str]: ...

    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    if not KEY_RE.match(key) or ".." in key:
        raise NotFound("No such file.")
    return key


def sniff_image(data: bytes) -> tuple[str, str]:
    """The extension and media type of a JPEG, PNG or WebP image, judged by its bytes."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput("The image is larger than 5 MB.")
    for magic, kind in IMAGE_TYPES.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    raise InvalidInput("The image must be a JPEG, PNG or WebP file.")


@dataclass
class LocalStorage:
    root: Path

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def save(self, key: str, data: bytes, media_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)  # never a half-written file under its final name

    def load(self, key: str) -> tuple[bytes, str]:
        path = self._path(key)
        if not path.is_file():
            raise NotFound("No such file.")
        data = path.read_bytes()
        return data, _media_type(key)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


@dataclass
class S3Storage:
    """Any S3-compatible object store (AWS, MinIO, Garage, OVH, Scaleway...)."""

    bucket: str
    prefix: str
    client: Any

    def _key(self, key: str) -> str:
        return f"{self.prefix}{check_key(key)}"

    def save(self, key: str, data: bytes, media_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=media_type
        )

    def load(self, key: str) -> tuple[bytes, str]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.NoSuchKey:
            raise NotFound("No such file.") from None
        return response["Body"].read(), response.get("ContentType") or _media_type(key)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def _media_type(key: str) -> str:
    extension = key.rsplit(".", 1)[-1]
    return {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        extension, "application/octet-stream"
    )


def make_storage(settings: Settings) -> Storage:
    url = urlparse(settings.storage_url)
    if url.scheme == "file":
        return LocalStorage(Path(url.netloc + url.path))
    if url.scheme == "s3":
        import boto3  # the optional `s3` extra

        client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url or None)
        prefix = url.path.lstrip("/")
        return S3Storage(url.netloc, f"{prefix.rstrip('/')}/" if prefix else "", client)
    raise ValueError(f"unsupported storage URL {settings.storage_url!r}")


def store_image(storage: Storage, folder: str, data: bytes, alt: str) -> tuple[str, str]:
    """Check an uploaded image and its text alternative, save it under a new key in `folder`;
    returns (key, alt). Nothing is saved when either is refused."""
    from parvis.kernel.i18n import gettext as _

    alt = alt.strip()
    if not 3 <= len(alt) <= 200 or "\x00" in alt:
        raise InvalidInput(_("Describe the image in a few words (3 to 200 characters)."))
    try:
        extension, media_type = sniff_image(data)
    except InvalidInput:
        message = _("The image must be a JPEG, PNG or WebP file of 5 MB at most.")
        raise InvalidInput(message) from None
    key = f"{folder}/{uuid.uuid4().hex}.{extension}"
    storage.save(key, data, media_type)
    return key, alt
