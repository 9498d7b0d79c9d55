"""Feature blueprints; each declares whether it serves tenant hosts or the platform host."""


def register_blueprints(app):
    from crm_saas.blueprints.activities.routes import bp as activities_bp
    from crm_saas.blueprints.approvals.routes import bp as approvals_bp
    from crm_saas.blueprints.audit.routes import bp as audit_bp
    from crm_saas.blueprints.auth.routes import bp as auth_bp
    from crm_saas.blueprints.home.routes import bp as home_bp
    from crm_saas.blueprints.custom_fields.routes import bp as custom_fields_bp
    from crm_saas.blueprints.customers.routes import bp as customers_bp
    from crm_saas.blueprints.exports.routes import bp as exports_bp
    from crm_saas.blueprints.files.routes import bp as files_bp
    from crm_saas.blueprints.pipeline.admin_routes import bp as pipeline_admin_bp
    from crm_saas.blueprints.pipeline.routes import bp as pipeline_bp
    from crm_saas.blueprints.regions.routes import bp as regions_bp
    from crm_saas.blueprints.settings.routes import bp as settings_bp
    from crm_saas.blueprints.signup.routes import bp as signup_bp
    from crm_saas.blueprints.staff.routes import bp as staff_bp

    for bp in (home_bp, signup_bp, auth_bp, staff_bp, customers_bp, pipeline_bp, exports_bp, files_bp,
               settings_bp, approvals_bp, audit_bp, regions_bp, custom_fields_bp, pipeline_admin_bp,
               activities_bp):
        app.register_blueprint(bp)
    from crm_saas.blueprints.auth import init_app as init_auth

    init_auth(app)
