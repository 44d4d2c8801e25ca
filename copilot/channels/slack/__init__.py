"""(being built)"""

from fastapi import FastAPI

from copilot.config import Settings


def mount(app: FastAPI, settings: Settings) -> None:
    """Nothing yet."""
