"""The only module-level app, for ASGI servers: `uvicorn parvis.asgi:app`."""

from parvis.app import create_app

app = create_app()
