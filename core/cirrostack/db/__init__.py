"""Persistence: SQLAlchemy 2 models, the Database (engine, sessions, Alembic migrations)."""

from cirrostack.db.base import Base
from cirrostack.db.database import Database

__all__ = ["Base", "Database"]
