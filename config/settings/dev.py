"""Local development and the demo: same as base, with DEBUG when asked for."""
from .base import *  # noqa: F401,F403
