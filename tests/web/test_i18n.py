"""Spanish and English are complete: a string without a translation fails the build."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tertulia.config import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "tertulia"
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _entries(po: str) -> list[tuple[str, list[str], bool]]:
    entries = []
    for block in po.split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid:
            continue
        text = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        strs = ["".join(re.findall(r'"(.*)"', m)) for m in
                re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)]
        entries.append((text, strs, "#, fuzzy" in block))
    return entries


def test_spanish_catalogue_has_no_missing_or_fuzzy_entries() -> None:
    bad = [t for t, strs, fuzzy in _entries(CATALOGUE.read_text())
           if t and (fuzzy or not all(strs))]
    assert not bad, f"untranslated: {bad}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    """Extract the strings afresh and compare with the committed catalogue."""
    work = tmp_path / "tertulia"
    shutil.copytree(PACKAGE, work, ignore=shutil.ignore_patterns("__pycache__", "models"))
    (work / "locale" / "es" / "LC_MESSAGES" / "django.po").unlink()
    subprocess.run(
        [str(REPO_ROOT / ".venv" / "bin" / "tertulia"), "manage", "makemessages", "-l", "es",
         "--no-location", "-i", "nlp/*", "-i", "listening/query/*"],
        cwd=work, check=True, capture_output=True,
    )
    fresh = {t for t, _strs, _f in _entries((work / "locale/es/LC_MESSAGES/django.po").read_text())}
    known = {t for t, _strs, _f in _entries(CATALOGUE.read_text())}
    missing = sorted(fresh - known)
    assert not missing, f"new strings missing from the Spanish catalogue: {missing}"
