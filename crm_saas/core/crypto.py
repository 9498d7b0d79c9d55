"""Secrets a company gives us to use on its behalf (its SMTP password), encrypted at rest (Fernet).

The key is ``CRM_ENCRYPTION_KEY`` (a Fernet key: ``Fernet.generate_key()``);
unset, one is derived from ``SECRET_KEY`` (HKDF), so a fresh install needs
nothing more, and changing ``SECRET_KEY`` without setting this first makes
the stored secrets unreadable (the admin types them again). Stored values
carry a ``fernet:`` prefix: a value without one was stored before
encryption and is read as it is, until the migration or the next save
encrypts it.
"""
import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "fernet:"


def _fernet():
    key = current_app.config.get("CRM_ENCRYPTION_KEY")
    if not key:
        secret = current_app.config["SECRET_KEY"].encode()
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"crm_saas", info=b"stored secrets").derive(secret)
        key = base64.urlsafe_b64encode(derived)
    return Fernet(key)


def encrypt(text):
    """``text`` as stored: prefixed Fernet token; empty stays empty."""
    if not text or text.startswith(PREFIX):
        return text
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(stored):
    """The text behind ``stored``; "" when it cannot be read with today's key (the admin sets it again)."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        return ""
