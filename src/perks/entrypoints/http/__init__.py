"""HTTP faces of perks (Starlette + msgspec). Shared wire helpers live beside the face packages."""
