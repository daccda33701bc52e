"""Every setting is documented, and the documented ones are the ones the code reads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tertulia.config import REPO_ROOT, SETTINGS
from tertulia.reference import write_reference

SRC = REPO_ROOT / "src" / "tertulia"


def test_every_environment_variable_read_is_registered() -> None:
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        used |= set(re.findall(r'env(?:_int|_list)?\(\s*"(TERTULIA_[A-Z_]+)"', path.read_text()))
    registered = {s.name for s in SETTINGS}
    assert used <= registered, f"read but not registered: {used - registered}"
    # TERTULIA_ENV and friends are read in settings.py; every registered one must be used.
    assert registered <= used, f"registered but never read: {registered - used}"


def test_no_stray_os_environ_reads_of_our_variables() -> None:
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r'environ(?:\.get)?\(?\[?\s*"TERTULIA_', text), path


def test_generated_reference_pages_are_up_to_date() -> None:
    stale = write_reference(REPO_ROOT / "docs", check=True)
    assert not stale, f"run `tertulia docs generate`: {stale}"


def test_reference_lists_each_setting_in_both_languages() -> None:
    for lang in ("en", "es"):
        page = (REPO_ROOT / "docs" / lang / "reference" / "configuration.md").read_text()
        for setting in SETTINGS:
            assert f"`{setting.name}`" in page


def _start_settings(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tertulia.settings'; "
            "django.setup()")
    base = {"PATH": "/usr/bin:/bin", "TERTULIA_DATA_DIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", code], env={**base, **env},
                          capture_output=True, text=True, check=False)


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _start_settings({"TERTULIA_ENV": "prod"}, tmp_path)
    assert result.returncode != 0
    assert "TERTULIA_SECRET_KEY is not set" in result.stderr


def test_production_with_a_key_starts_with_secure_cookies(tmp_path: Path) -> None:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tertulia.settings'; "
        "django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "TERTULIA_DATA_DIR": str(tmp_path), "TERTULIA_ENV": "prod",
             "TERTULIA_SECRET_KEY": "k" * 50},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "False"]


def test_bad_environment_is_refused_plainly(tmp_path: Path) -> None:
    result = _start_settings({"TERTULIA_ENV": "staging"}, tmp_path)
    assert "TERTULIA_ENV must be dev, test or prod" in result.stderr
