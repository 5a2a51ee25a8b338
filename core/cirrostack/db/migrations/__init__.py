"""Alembic migrations of cirrostack's schema; run them with `cirro db upgrade` or Database.upgrade()."""
