"""Secrets at rest: webhook secrets are stored encrypted with a key derived from SECRET_KEY.

The key is ``HKDF-SHA256(SECRET_KEY, info="tertulia.networks.webhook-secret")`` used as a
Fernet key (AES-128-CBC + HMAC-SHA256). A database dump alone does not reveal the secrets.
Keys from ``SECRET_KEY_FALLBACKS`` still decrypt, so the secret key can be rotated; a secret
encrypted under a key that is gone cannot be read, and its source answers 403 until the
secret is rotated on the sources page.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["decrypt_secret", "encrypt_secret"]

_INFO = b"tertulia.networks.webhook-secret"


def _fernet_for(secret_key: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(raw))


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    return MultiFernet([_fernet_for(str(key)) for key in keys])


def encrypt_secret(secret: bytes) -> str:
    """The ciphertext to store (ASCII), always under the current SECRET_KEY."""
    return _box().encrypt(secret).decode("ascii")


def decrypt_secret(stored: str) -> bytes | None:
    """The secret, or None when nothing is stored or no known key opens it."""
    if not stored:
        return None
    try:
        return _box().decrypt(stored.encode("ascii"))
    except (InvalidToken, ValueError):
        return None
