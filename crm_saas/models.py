"""One place that imports every model module, so metadata knows every table."""


def load_models():
    from crm_saas.core import audit as _audit  # noqa: F401
    from crm_saas.core import settings as _settings  # noqa: F401
    from crm_saas.core import users as _users  # noqa: F401
    from crm_saas.blueprints.activities import models as _activities  # noqa: F401
    from crm_saas.blueprints.custom_fields import models as _custom_fields  # noqa: F401
    from crm_saas.blueprints.customers import models as _customers  # noqa: F401
    from crm_saas.blueprints.exports import models as _exports  # noqa: F401
    from crm_saas.blueprints.files import models as _files  # noqa: F401
    from crm_saas.blueprints.pipeline import models as _pipeline  # noqa: F401
    from crm_saas.tenants import models as _tenants  # noqa: F401
