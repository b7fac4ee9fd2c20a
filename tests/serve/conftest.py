from __future__ import annotations

import json
import shutil

import pytest

import gankit
from conftest import PNG, tiny_config


# session: test_app.py and test_pictures.py serve the same runs, trained once
@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory, session_cache):
    """Two tiny ring8 runs (ns, lsgan), a conditional digits GAN, and a copy of a run whose tensors were damaged;
    beside RUNS_DIR, a secret file that no request may read."""
    root = tmp_path_factory.mktemp("serve")
    runs = root / "runs"
    with pytest.MonkeyPatch.context() as patch:  # as conftest's per-test fixture: nothing written under ~
        patch.setattr("gankit.data.catalog.DEFAULT_CACHE", session_cache)
        patch.setenv("GANKIT_CACHE", str(session_cache))
        gankit.train(tiny_config(runs / "ring-ns"))
        gankit.train(tiny_config(runs / "ring-lsgan", objective={"name": "lsgan"}))
        gankit.train(tiny_config(runs / "digits", data={"name": "digits"}, model={"width": 8, "conditional": True},
                                 train={"batch_size": 16}))
    card = {"fid": 81.234567, "kid": 0.0312, "kid_std": 2.3e-14, "precision": 0.41, "recall": 0.29,
            "fid_per_class": {str(c): 100.0 + c for c in range(10)}, "extractor": "classifier:digits",
            "extractor_sha256": "0123456789abcdef" * 4, "protocol": "a long protocol description " * 3}
    (runs / "digits" / "eval-step00000020.json").write_text(json.dumps(card))  # as wide as a real card gets
    shutil.copytree(runs / "ring-ns", runs / "damaged")
    tensors = json.loads((runs / "damaged" / "checkpoints" / "last.json").read_text())["tensors"]
    path = runs / "damaged" / "checkpoints" / tensors
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # one flipped bit of one weight: still a readable safetensors file, but not the one hashed
    path.write_bytes(bytes(data))
    (root / "secret.png").write_bytes(PNG + b"TOP-SECRET-BYTES")
    (runs / "ring-ns" / "link.png").symlink_to(root / "secret.png")
    return runs
