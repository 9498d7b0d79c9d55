"""Marketing (G1, 市场): campaigns with their members, cost and ROI; segments, saved customer filters.

It stands above customers, deals and follow-ups (a segment is the customer
list's filter, a campaign counts the deals it brought) and above exports (a
segment exports as the customer list does); reports and imports use its
services; nothing else below imports it.
"""


def init_app(app):
    # Imported on wiring, not with the package: reading one module (say, in a migration) loads no views.
    from crm_saas.blueprints.campaigns import listeners, models  # noqa: F401  (models: the tables, declared before any schema is made)
    from crm_saas.blueprints.campaigns.routes import bp
    from crm_saas.blueprints.campaigns.services.segments import editable_segments

    app.register_blueprint(bp)
    # The customer list's "Save as segment" (campaigns/_save_segment.html) offers to replace one of these.
    app.jinja_env.globals["editable_segments"] = editable_segments
    listeners.connect()
