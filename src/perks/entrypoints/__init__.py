"""Entry points: HTTP applications, the CLI."""
