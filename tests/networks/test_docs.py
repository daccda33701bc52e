from pathlib import Path

import pytest

from tertulia.networks.items import ItemKind, Network
from tertulia.networks.protocol import Capability

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_capability_network_and_kind_is_documented(lang):
    text = (DOCS / lang / "connectors.md").read_text(encoding="utf-8")
    for value in [*Capability, *Network, *ItemKind]:
        assert f"`{value.value}`" in text, f"{value!r} missing from docs/{lang}/connectors.md"
