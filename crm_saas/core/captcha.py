"""The image code (验证码, B6) a sign-in asks for after repeated wrong passwords.

The answer never leaves the server: a challenge is a random id whose answer
waits in Redis for ``TTL`` seconds; the page shows ``/captcha/<id>.png``,
drawn from it by the ``captcha`` library; checking the answer deletes it
(right or wrong), so each code is tried once. Redis down means no code can
be kept: the sign-in then goes on without one, still under its limits.
"""
import secrets

from flask import current_app
from redis.exceptions import RedisError

from crm_saas.core.queue import redis_connection

TTL = 600
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: letters people misread on a distorted image.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 4


def _key(challenge):
    return f"crm:captcha:{challenge}"


def issue():
    """A new challenge id, or None when Redis cannot keep its answer."""
    challenge = secrets.token_urlsafe(16)
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    try:
        redis_connection().set(_key(challenge), answer, ex=TTL)
    except RedisError:
        current_app.logger.warning("no captcha: Redis is unreachable", exc_info=True)
        return None
    return challenge


def image(challenge):
    """The PNG of ``challenge``'s code, or None once it is used or expired."""
    from captcha.image import ImageCaptcha  # noqa: PLC0415  (start-up cost: Pillow loads on the first image)

    try:
        answer = redis_connection().get(_key(challenge or ""))
    except RedisError:
        return None
    if answer is None:
        return None
    return ImageCaptcha(width=160, height=60).generate(answer.decode()).getvalue()


def solved(challenge, attempt):
    """Whether ``attempt`` is ``challenge``'s code (case and spaces aside); either way the code is spent."""
    try:
        answer = redis_connection().getdel(_key(challenge or ""))
    except RedisError:
        return True  # nothing could be kept, so nothing was asked: the limits still hold
    if answer is None:
        return False
    return secrets.compare_digest(answer.decode(), "".join((attempt or "").split()).upper())
