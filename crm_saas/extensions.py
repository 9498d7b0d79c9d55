"""Unbound extensions: created here, bound to an app only in ``create_app``."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from crm_saas.core.base import Base
from crm_saas.tenants.binding import TenantSession

db = SQLAlchemy(model_class=Base, session_options={"class_": TenantSession})
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = Api()
# Limits are named per route (core/throttle.py); storage is the app's Redis, set in init_app.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="moving-window")
