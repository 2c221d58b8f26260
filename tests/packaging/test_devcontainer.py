"""The dev container opens the flake's dev shell."""

from __future__ import annotations

import json

from packaging_helpers import ROOT


def test_devcontainer_installs_nix_and_enters_nix_develop() -> None:
    config = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    features = config["features"]
    nix = next(v for k, v in features.items() if "/features/nix:" in k)
    assert "flakes" in nix["extraNixConfig"]
    assert config["postCreateCommand"].startswith("nix develop")
    profiles = config["customizations"]["vscode"]["settings"]
    default = profiles["terminal.integrated.defaultProfile.linux"]
    assert profiles["terminal.integrated.profiles.linux"][default]["args"] == ["develop"]
