"""Language: the user's choice, else the browser's, else Chinese (L1)."""
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale

# Each language named in itself, as a language switch should be.
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale():
    """Outside a request (jobs, commands) the company default; jobs choose theirs with ``force_locale``."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # The person as already loaded, if at all: an error page after a failed statement must not query again.
    user_locale = getattr(g.get("_login_user"), "locale", None)
    if user_locale in languages:
        return user_locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app, babel):
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages():
        return {"current_locale": current_language(), "languages": app.config["LANGUAGES"],
                "language_names": LANGUAGE_NAMES}


def current_language():
    """The configured code (``zh_CN``/``en``) of the request's locale; Babel itself says ``zh_Hans_CN``."""
    language = get_locale().language
    return next((code for code in current_app.config["LANGUAGES"] if code.split("_")[0] == language),
                current_app.config["BABEL_DEFAULT_LOCALE"])
