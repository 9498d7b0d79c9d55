"""Language: the user's choice, else the browser's, else Chinese (L1)."""
from flask import current_app, request, session
from flask_login import current_user


def select_locale():
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app, babel):
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
