"""One typed settings class, read from the environment (prefix ``PARVIS_``) and ``.env``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me-in-production"  # noqa: S105 - refused outside development


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting of Parvis; each one is documented in README.md (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="PARVIS_", env_file=".env", extra="ignore")

    environment: Environment = Field(
        default=Environment.DEVELOPMENT,
        description="development, test or production; production refuses default secrets.",
    )
    database_url: str = Field(
        default="sqlite:///./var/parvis.db",
        description="SQLAlchemy URL: SQLite file (embedded default) or postgresql+psycopg://...",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public URL, used in mails and links."
    )
    secret_key: str = Field(
        default=DEFAULT_SECRET_KEY, description="Signs tokens; must be set outside development."
    )
    host: str = Field(default="127.0.0.1", description="Address `parvis serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `parvis serve` listens on.")
    workers: int = Field(default=1, ge=1, le=64, description="Web worker processes for `serve`.")
    default_locale: str = Field(default="fr", description="Language when the visitor states none.")
    smtp_host: str = Field(
        default="", description="SMTP server; empty writes mails to the outbox folder and the log."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str = Field(default="", description="SMTP user name.")
    smtp_password: str = Field(default="", description="SMTP password.")
    smtp_starttls: bool = Field(default=True, description="Use STARTTLS with the SMTP server.")
    mail_from: str = Field(
        default="Parvis <no-reply@parvis.localhost>", description="Sender of outgoing mails."
    )
    outbox_dir: Path = Field(
        default=Path("var/outbox"), description="Folder of outgoing mails when no SMTP is set."
    )
    storage_url: str = Field(
        default="file://./var/uploads",
        description="Uploads: file://folder (default) or s3://bucket/prefix (needs the s3 extra).",
    )
    s3_endpoint_url: str = Field(
        default="", description="Endpoint of an S3-compatible object store (empty: AWS)."
    )
    tile_url: str = Field(
        default="",
        description="Map tile URL template ({z}/{x}/{y}); empty shows boundaries only.",
    )
    tile_attribution: str = Field(default="", description="Attribution shown with map tiles.")
    secure_cookies: bool | None = Field(
        default=None,
        description="Mark cookies Secure; default: yes when the base URL is https or outside "
        "development.",
    )
    session_days: int = Field(default=14, ge=1, le=365, description="Days a sign-in lasts.")
    signin_attempts: int = Field(
        default=5, ge=1, description="Failed sign-ins allowed per account and per address."
    )
    signin_window_seconds: int = Field(
        default=900, ge=1, description="Window over which failed sign-ins are counted."
    )
    jobs_in_process: bool | None = Field(
        default=None,
        description="Run background jobs in the web process; default: yes on SQLite, no on "
        "PostgreSQL (then run `parvis worker`).",
    )
    mqtt_mode: Literal["embedded", "external", "off"] = Field(
        default="embedded",
        description="MQTT for the SensorThings API: `embedded` runs a broker inside `parvis "
        "serve`, `external` uses a broker such as Mosquitto, `off` has none.",
    )
    mqtt_host: str = Field(default="127.0.0.1", description="Address of the MQTT broker.")
    mqtt_port: int = Field(
        default=1884,
        ge=0,
        le=65535,
        description="Port of the MQTT broker (the embedded one listens there; 1883 is often "
        "taken by a system Mosquitto).",
    )
    mqtt_public_url: str = Field(
        default="", description="The MQTT endpoint advertised to clients (mqtt://host:port)."
    )
    mqtt_username: str = Field(default="parvis", description="The server's own MQTT user.")
    mqtt_password: str = Field(default="", description="The server's own MQTT password.")
    sta_hide_tasking: bool = Field(
        default=False,
        description="Leave the tasking sets out of the SensorThings service root (the "
        "official v1.0 test suite refuses any other name there).",
    )

    @model_validator(mode="after")
    def refuse_default_secret(self) -> Self:
        if self.environment == Environment.PRODUCTION and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError("PARVIS_SECRET_KEY must be set in production")
        if self.environment == Environment.PRODUCTION and len(self.secret_key) < 32:
            raise ValueError("PARVIS_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.base_url.startswith("https://") or self.environment != Environment.DEVELOPMENT

    @property
    def run_jobs_in_process(self) -> bool:
        return self.is_sqlite if self.jobs_in_process is None else self.jobs_in_process
