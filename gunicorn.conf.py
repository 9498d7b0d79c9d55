"""gunicorn reads this from the working directory; the settings ship in the package (crm_saas/gunicorn_conf.py)."""
from crm_saas.gunicorn_conf import *  # noqa: F403
