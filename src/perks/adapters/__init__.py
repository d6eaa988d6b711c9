"""Adapters: the concrete implementations of the service ports."""
