"""Unbound extensions: created here, bound to an app only in ``create_app``."""
from flask_babel import Babel
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
