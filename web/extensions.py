"""Extension objects, bound to the app in :func:`web.create_app`."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from workflow.db import Base

# The domain owns the metadata (and its naming convention); Flask-SQLAlchemy only
# provides the request-scoped session and the engine.
# Objects stay readable after the service commits; the request's session ends right after.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
