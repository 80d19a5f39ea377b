#!/usr/bin/env python3
"""Fetch the pinned front-end files listed in assets.json from the npm registry into static/vendor/.

Only the standard library is used, so it runs before the virtualenv exists and without Node.js. Each tarball
is checked against the integrity hash recorded in assets.json; files already present with the right version
are left alone. NPM_REGISTRY overrides the registry address (for a mirror).
"""

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fetch(name: str, spec: dict) -> None:
    target = ROOT / spec["target"]
    stamp = target / ".version"
    if (
        stamp.exists()
        and stamp.read_text().strip() == spec["integrity"]
        and all((target / f).exists() for f in spec["files"])
    ):
        return
    url = spec["tarball"]
    registry = os.environ.get("NPM_REGISTRY")
    if registry:
        url = url.replace("https://registry.npmjs.org", registry.rstrip("/"))
    print(f"fetching {name}@{spec['version']} from {url}", flush=True)
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    algorithm, _, expected = spec["integrity"].partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        sys.exit(f"{name}: integrity mismatch (expected {expected}, got {digest}); refusing to use it")
    wanted = {f"package/{f}": f for f in spec["files"]}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            relative = wanted.pop(member.name, None)
            if relative is None or not member.isfile():
                continue
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.extractfile(member).read())
    if wanted:
        sys.exit(f"{name}: files missing from the tarball: {sorted(wanted.values())}")
    stamp.write_text(spec["integrity"] + "\n")


def main() -> None:
    manifest = json.loads((ROOT / "assets.json").read_text())
    for name, spec in manifest["packages"].items():
        fetch(name, spec)


if __name__ == "__main__":
    main()
