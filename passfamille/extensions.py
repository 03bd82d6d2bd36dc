"""Extensions are created here and bound to the app in create_app()."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
# Throttles agents' log-in attempts. In-memory storage suits one process; RATELIMIT_STORAGE_URI can point to Redis.
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")
