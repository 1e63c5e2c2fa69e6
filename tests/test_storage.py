"""Uploads: project cover images through the API, on a folder and on S3-compatible storage."""

from __future__ import annotations

import socket
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from parvis.kernel.auth import User
from parvis.kernel.errors import InvalidInput, NotFound
from parvis.kernel.settings import Settings
from parvis.kernel.storage import S3Storage, make_storage, sniff_image
from tests.test_projects_api import create


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def upload(
    client: TestClient, project_id: int, headers: dict[str, str], data: bytes, alt: str
) -> int:
    response = client.put(
        f"/api/projects/{project_id}/image",
        files={"image": ("photo.png", data, "image/png")},
        data={"alt": alt},
        headers=headers,
    )
    return response.status_code


def test_staff_sets_replaces_and_removes_a_cover_image(
    client: TestClient,
    app: FastAPI,
    staff: User,
    resident: User,
    api_token: Callable[[User], dict[str, str]],
) -> None:
    headers = api_token(staff)
    project = create(client, headers)
    assert upload(client, project["id"], headers, png(), "Le square au printemps") == 200
    first = client.get(f"/api/projects/{project['id']}").json()
    assert first["image_alt"] == "Le square au printemps"
    image = client.get(first["image_url"].replace("https://parvis.test", ""))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png" and image.content == png()
    assert upload(client, project["id"], headers, png(3, 3), "Le square en été") == 200
    second = client.get(f"/api/projects/{project['id']}").json()
    assert second["image_url"] != first["image_url"]
    old = first["image_url"].replace("https://parvis.test", "")
    assert client.get(old).status_code == 404  # the replaced file is gone
    assert client.delete(f"/api/projects/{project['id']}/image", headers=headers).status_code == 200
    assert client.get(f"/api/projects/{project['id']}").json()["image_url"] is None
    uploads = Path(app.state.ctx.settings.storage_url.removeprefix("file://"))
    assert [p for p in uploads.rglob("*") if p.is_file()] == []
    assert upload(client, project["id"], api_token(resident), png(), "Une photo") == 403


def test_bad_uploads_are_refused_and_change_nothing(
    client: TestClient, staff: User, api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(staff)
    project = create(client, headers)
    assert upload(client, project["id"], headers, b"<svg onload=alert(1)>", "Un dessin") == 422
    assert upload(client, project["id"], headers, png(), "") == 422
    assert (
        upload(client, project["id"], headers, b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 2**20), "Gros")
        == 422
    )
    assert client.get(f"/api/projects/{project['id']}").json()["image_url"] is None
    assert client.get("/media/../../etc/passwd").status_code == 404
    assert client.get("/media/projects/1/nothing.png").status_code == 404


def test_sniffing_trusts_bytes_not_names() -> None:
    assert sniff_image(png()) == ("png", "image/png")
    assert sniff_image(b"\xff\xd8\xff\xe0" + b"0" * 10)[0] == "jpg"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ")[0] == "webp"
    with pytest.raises(InvalidInput):
        sniff_image(b"GIF89a")


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An S3-compatible server on loopback (moto's server mode)."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for name, value in {
        "AWS_ACCESS_KEY_ID": "parvis",
        "AWS_SECRET_ACCESS_KEY": "parvis-secret",
        "AWS_DEFAULT_REGION": "eu-west-3",
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_s3_storage_round_trip(s3_endpoint: str) -> None:
    settings = Settings(
        storage_url="s3://parvis-uploads/media",
        s3_endpoint_url=s3_endpoint,
        _env_file=None,  # type: ignore[call-arg]
    )
    storage = make_storage(settings)
    assert isinstance(storage, S3Storage) and storage.prefix == "media/"
    storage.client.create_bucket(
        Bucket="parvis-uploads", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    storage.save("projects/1/a.png", png(), "image/png")
    assert storage.load("projects/1/a.png") == (png(), "image/png")
    listed = storage.client.list_objects_v2(Bucket="parvis-uploads")["Contents"]
    assert [o["Key"] for o in listed] == ["media/projects/1/a.png"]
    storage.delete("projects/1/a.png")
    with pytest.raises(NotFound):
        storage.load("projects/1/a.png")
