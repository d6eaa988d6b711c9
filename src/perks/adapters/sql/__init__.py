"""SQL storage (SQLAlchemy Core): SQLite embedded, PostgreSQL in production."""
