"""Emporix's session-context face: ``/session-context/{tenant}/...``, ``/oauth/token`` and the
storefront's anonymous login."""

from perks.entrypoints.http.session_context.endpoints import face, routes

__all__ = ["face", "routes"]
