from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField

from crm_saas.blueprints.settings.changes import SETTING_LABELS
from crm_saas.permissions import PERMISSIONS


class CompanySettingsForm(FlaskForm):
    customer_approval = BooleanField(
        SETTING_LABELS["customer_approval"],
        description=_l("Their new customers wait in the approval queue of the people above them "
                       "who hold the right to approve; until then they count as pending."),
    )


class PermissionMatrixForm(FlaskForm):
    """One multi-choice per editable role; the page draws them as the columns of a table.

    ``submitted`` is always posted, so a form with every box unticked still
    counts as submitted (it revokes everything) instead of looking empty.
    """

    submitted = HiddenField(default="1")
    supervisor = SelectMultipleField(_l("Supervisor"), choices=list(PERMISSIONS.items()))
    rep = SelectMultipleField(_l("Sales rep"), choices=list(PERMISSIONS.items()))
