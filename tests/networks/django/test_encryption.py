from django.test import override_settings

from tertulia.networks.encryption import decrypt_secret, encrypt_secret


def test_a_secret_round_trips_and_is_not_stored_in_clear():
    stored = encrypt_secret(b"s3cret-value")
    assert b"s3cret-value" not in stored.encode() and decrypt_secret(stored) == b"s3cret-value"


def test_the_old_key_still_opens_secrets_after_the_secret_key_rotates(settings):
    stored = encrypt_secret(b"s3cret-value")
    with override_settings(SECRET_KEY="a-new-key-" * 5, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert decrypt_secret(stored) == b"s3cret-value"
    with override_settings(SECRET_KEY="a-new-key-" * 5, SECRET_KEY_FALLBACKS=[]):
        assert decrypt_secret(stored) is None  # the source then answers 403 until rotated


def test_nothing_or_garbage_stored_reads_as_no_secret():
    assert decrypt_secret("") is None and decrypt_secret("not-a-token") is None
