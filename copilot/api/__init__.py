"""The HTTP service: one FastAPI app from a factory, sharing one Copilot for every request.

`create_app()` builds nothing at import; the Copilot (member data, memory, the model) opens
in the app's lifespan and closes with it. Channels (Slack, WeCom, the web console) mount
on this app as they land.
"""

from copilot.api.app import create_app

__all__ = ["create_app"]
