"""Tests of hub_conf, the MindSpore Hub API of this zoo.

A threaded HTTP server on 127.0.0.1 (random port) serves a temporary directory
holding a tar.gz of the cnnctc folder and checkpoints made here; the
environment variables MSHUB_GITEE_URL and MSHUB_ASSET_MIRROR point the hub at
it, MSHUB_CARD_DIR at a copy of the bundled cards plus test cards (``serve``
writes the served archive's sha256 into their model-sha256), and the cache is a
temporary directory.  Only the cpu_small network runs forward passes.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import mindspore as ms
import numpy as np
import pytest

import hub_conf as mshub
from hub_conf import settings
from hub_conf.card import find_card
from hub_conf.download import extract_tar
from hub_conf.isolation import create_network
from hub_conf.weights import load_strict

REPO = Path(__file__).resolve().parents[1]
CARDS = REPO / "hub_conf/cards"
BUNDLED = sorted(p.relative_to(CARDS).with_suffix("").as_posix() for p in CARDS.rglob("*.md"))

OFFICIAL = "mindspore/ascend/1.1/cnnctc_v1.1"
SMALL = "mindspore/cpu/2.10/cnnctc_cpu_small_v1.0"
REQUIRED = [OFFICIAL, "mindspore/ascend/1.3/ctcmodel_v1.3", SMALL, "mindspore/ascend/2.10/crnn_minivgg_v1.0",
            "mindspore/ascend/2.10/handwritten_zh_v1.0", "mindspore/ascend/2.10/convtransformer_ocr_v1.0"]
# Parameter count of every card whose model is built; a model that lands adds its card here.
EXPECTED_PARAMS = {OFFICIAL: 44_308_229, SMALL: 2_782_301, "mindspore/ascend/2.10/crnn_minivgg_v1.0": 8_333_861,
                   "mindspore/cpu/2.10/crnn_cpu_small_v1.0": 919_397, "mindspore/ascend/1.3/ctcmodel_v1.3": 584_254,
                   "mindspore/cpu/2.10/ctcmodel_cpu_small_v1.0": 584_254,
                   "mindspore/ascend/2.10/handwritten_zh_v1.0": 17_226_747,  # 17,215,867 trainable + BN statistics
                   "mindspore/cpu/2.10/handwritten_zh_cpu_small_v1.0": 1_548_195,
                   "mindspore/ascend/2.10/convtransformer_ocr_v1.0": 19_177_980,
                   "mindspore/cpu/2.10/convtransformer_ocr_cpu_small_v1.0": 632_458}
OFFICIAL_SHA = "c6a340120565c3b93ed7e63a9bc2a69428510000051338f4ae0f6b66ea4623dd"
OFFICIAL_PATH = ("/model_zoo/r1.1/cnnctc_ascend_v111_offical_cv_bs192_acc85/"
                 "cnnctc_ascend_v111_offical_cv_bs192_acc85.ckpt")
URL_CARD = "test/cpu/2.10/small_url_v1.0"        # asset: https link, served through MSHUB_ASSET_MIRROR
REL_CARD = "test/cpu/2.10/small_rel_v1.0"        # asset: repository path, served under MSHUB_GITEE_URL
ENV = ("MSHUB_DIR", "MSHUB_CARD_DIR", "MSHUB_BASE_URL", "MSHUB_GITEE_URL", "MSHUB_GITHUB_URL", "MSHUB_ASSET_MIRROR")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def params_of(net) -> int:
    return sum(p.size for p in net.get_parameters())


def files_under(path: Path) -> list[str]:
    """Files below ``path`` except the cache's lock files, which stay on purpose (see hub_conf/cache.py)."""
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")
                  if p.is_file() and not p.name.endswith(".lock")) if path.exists() else []


@dataclass
class Reference:
    ckpt: Path
    sha: str
    x: np.ndarray
    y: np.ndarray


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    """A cpu_small network with random BatchNorm statistics, its checkpoint and its output on one input."""
    net = mshub.load(SMALL, pretrained=False, source="local")
    rng = np.random.default_rng(0)
    for p in net.get_parameters():
        if p.name.endswith(("moving_variance", "gamma")):
            p.set_data(ms.Tensor(rng.uniform(0.5, 1.5, p.shape).astype(np.float32)))
        elif p.name.endswith(("moving_mean", "beta")):
            p.set_data(ms.Tensor(rng.normal(0.0, 0.1, p.shape).astype(np.float32)))
    net.set_train(False)
    x = rng.standard_normal((2, 3, 32, 100)).astype(np.float32)
    ckpt = tmp_path_factory.mktemp("reference") / "small_test.ckpt"
    ms.save_checkpoint(net, str(ckpt))
    return Reference(ckpt, sha256(ckpt), x, net(ms.Tensor(x)).asnumpy())


def add_folder(tar: tarfile.TarFile, folder: Path, arcname: str, skip_conf: bool = False) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            if not (skip_conf and path.name == "mindspore_hub_conf.py"):
                tar.add(path, arcname=f"{arcname}/{path.relative_to(folder).as_posix()}")


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes = b"print('evil')\n", kind: bytes = tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, (len(data) if kind == tarfile.REGTYPE else 0)
    info.linkname = "/etc/passwd" if kind == tarfile.SYMTYPE else ""
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


@pytest.fixture(scope="module")
def served(tmp_path_factory, reference) -> Path:
    """The served directory: archives of the cnnctc folder (good and bad) and checkpoints."""
    root = tmp_path_factory.mktemp("served")
    with tarfile.open(root / "cnnctc.tar.gz", "w:gz") as tar:
        add_folder(tar, REPO / "cnnctc", "cnnctc")
    (root / "whole").mkdir()
    with tarfile.open(root / "whole" / "cnnctc.tar.gz", "w:gz") as tar:  # a whole-repository archive
        add_folder(tar, REPO / "cnnctc", "zoo-main/cnnctc")
    (root / "unbuilt").mkdir()
    with tarfile.open(root / "unbuilt" / "cnnctc.tar.gz", "w:gz") as tar:
        add_folder(tar, REPO / "cnnctc", "cnnctc", skip_conf=True)
    (root / "syntax").mkdir()
    with tarfile.open(root / "syntax" / "cnnctc.tar.gz", "w:gz") as tar:
        add_folder(tar, REPO / "cnnctc", "cnnctc", skip_conf=True)
        add_bytes(tar, "cnnctc/mindspore_hub_conf.py", b"def create_network(:\n")
    (root / "plain").mkdir()  # an uncompressed tar under the .tar.gz name the hub asks for
    with tarfile.open(root / "plain" / "cnnctc.tar.gz", "w") as tar:
        add_folder(tar, REPO / "cnnctc", "cnnctc")
    with tarfile.open(root / "plain" / "cnnctc.tar.gz") as tar:
        boundary = tar.getmembers()[5].offset
    (root / "cut").mkdir()  # the plain tar cut where its sixth member starts: a valid tar of 5 files
    (root / "cut" / "cnnctc.tar.gz").write_bytes((root / "plain" / "cnnctc.tar.gz").read_bytes()[:boundary])
    for name, member, kind in (("dotdot", "../evil.py", tarfile.REGTYPE),
                               ("nested_dotdot", "cnnctc/../../evil.py", tarfile.REGTYPE),
                               ("absolute", "/tmp/hub_conf_test_evil.py", tarfile.REGTYPE),
                               ("symlink", "cnnctc/link", tarfile.SYMTYPE)):
        (root / name).mkdir()
        with tarfile.open(root / name / "cnnctc.tar.gz", "w:gz") as tar:
            add_folder(tar, REPO / "cnnctc", "cnnctc")
            add_bytes(tar, member, kind=kind)
    for rel in ("zoo/small_test.ckpt", "cnnctc/release/small_test.ckpt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(reference.ckpt, root / rel)
    (root / OFFICIAL_PATH.lstrip("/")).parent.mkdir(parents=True)
    (root / OFFICIAL_PATH.lstrip("/")).write_bytes(b"not the official checkpoint")
    return root


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet."""

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.endswith(".tar.gz"):
            time.sleep(self.server.delay)
        if self.path.startswith("/truncated/"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            return
        super().do_GET()


class FileServer:
    """A threaded HTTP server on 127.0.0.1 serving ``root``; ``requests`` lists the paths asked for.

    ``httpd.delay`` seconds pass before each archive (``*.tar.gz``) is served.
    """

    def __init__(self, root: Path):
        self.root = root
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     functools.partial(_Handler, directory=str(root)))
        self.httpd.requests = []
        self.httpd.delay = 0.0
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.running = True

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    def stop(self) -> None:
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()
            self.running = False


@pytest.fixture
def server(served):
    srv = FileServer(served)
    yield srv
    srv.stop()


def card_text(asset_link: str, sha: str) -> str:
    text = (CARDS / f"{SMALL}.md").read_text(encoding="utf-8")
    text = re.sub(r"asset-link: .*", f"asset-link: {asset_link}", text)
    return re.sub(r"asset-sha256: .*", f"asset-sha256: '{sha}'", text)


@pytest.fixture
def hub(tmp_path, monkeypatch, reference) -> Path:
    """A clean hub: no MSHUB_* variables, a temporary cache, and a card directory with the test cards."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    cards = tmp_path / "cards"
    shutil.copytree(CARDS, cards)
    for uid, link in ((URL_CARD, "<https://download.example.com/zoo/small_test.ckpt>"),
                      (REL_CARD, "cnnctc/release/small_test.ckpt")):
        (cards / f"{uid}.md").parent.mkdir(parents=True, exist_ok=True)
        (cards / f"{uid}.md").write_text(card_text(link, reference.sha), encoding="utf-8")
    monkeypatch.setenv("MSHUB_CARD_DIR", str(cards))
    cache = tmp_path / "cache"
    mshub.set_hub_dir(str(cache))
    yield cache
    mshub.set_hub_dir(None)


def set_model_sha(digest: str) -> None:
    """Write ``model-sha256: digest`` into the test cards: the hub downloads no model folder without it."""
    for uid in (URL_CARD, REL_CARD):
        path = Path(os.environ["MSHUB_CARD_DIR"]) / f"{uid}.md"
        text = re.sub(r"model-sha256: .*\n", "", path.read_text(encoding="utf-8"))
        path.write_text(text.replace("repo-link:", f"model-sha256: '{digest}'\nrepo-link:", 1), encoding="utf-8")


def serve(monkeypatch, srv: FileServer, sub: str = "") -> None:
    """Point the hub at ``srv`` (model folders at ``{url}{sub}``) and the test cards at the archive served there."""
    monkeypatch.setenv("MSHUB_GITEE_URL", f"{srv.url}{sub}")
    monkeypatch.setenv("MSHUB_ASSET_MIRROR", srv.url)
    set_model_sha(sha256(srv.root / sub.lstrip("/") / "cnnctc.tar.gz"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- cards

def test_required_cards_are_listed_and_valid(hub):
    uids = mshub.hub_uids()
    assert set(REQUIRED) <= set(uids)
    assert mshub.hub_uids("1.1") == [OFFICIAL]
    for uid in uids:
        card = find_card(uid)
        assert card.folder == card.header["repo-link"].strip("<>").rsplit("/", 1)[-1]
    official = find_card(OFFICIAL)
    assert official.model_name == "cnnctc" and official.folder == "cnnctc"
    assert official.checkpoint.sha256 == OFFICIAL_SHA
    assert official.checkpoint.link == "https://download.mindspore.cn" + OFFICIAL_PATH
    small = find_card(SMALL).checkpoint
    assert small.link == "cnnctc/release/cnnctc_cpu_small.ckpt" and not small.is_url
    for uid in REQUIRED[3:]:  # models not built when their cards were written: no unmeasured claims
        assert "accuracy" not in find_card(uid).header and not find_card(uid).assets


BAD_CARDS = [
    (lambda t: t.replace("license: Apache2.0\n", ""), "'license'"),
    (lambda t: t.replace("module-type: cv", "module-type: vision"), "'module-type'"),
    (lambda t: t.replace("fine-tunable: True", "fine-tunable: maybe"), "'fine-tunable'"),
    (lambda t: re.sub(r"asset-sha256: .*", "asset-sha256: 'abc123'", t), "'asset-sha256'"),
    (lambda t: t.replace("file-format: ckpt", "file-format: pth"), "'file-format'"),
    (lambda t: re.sub(r"asset-link: .*", "asset-link: ../../etc/passwd", t), "'asset-link'"),
    (lambda t: re.sub(r"repo-link: .*", "repo-link: <https://gitee.com/ctc-model-zoo>", t), "'repo-link'"),
    (lambda t: t.replace("used-for: inference/transfer-learning", "used-for: training"), "'used-for'"),
    (lambda t: t.replace("---\n", "", 1), "no header"),
    (lambda t: t.replace("user-id: ctc-model-zoo", "user-id: [unclosed"), "not valid YAML"),
    (lambda t: t.replace("model-name: cnnctc_cpu_small", "model-name: [cnnctc, crnn]"), "'model-name'"),
    (lambda t: t.replace("model-name: cnnctc_cpu_small", "model-name: 42"), "'model-name'"),
    (lambda t: t.replace("repo-link:", "model-sha256: 'abc123'\nrepo-link:"), "'model-sha256'"),
    (lambda t: re.sub(r"asset-link: .*", "asset-link: <https://download.example.com/zoo/..>", t), "'asset-link'"),
    (lambda t: re.sub(r"asset-link: .*", "asset-link: <https://download.example.com/zoo/.>", t), "'asset-link'"),
    (lambda t: re.sub(r"asset-link: .*", "asset-link: <https://download.example.com/zoo/>", t), "'asset-link'"),
    (lambda t: re.sub(r"asset-link: .*", "asset-link: cnnctc/release/.", t), "'asset-link'"),
]


@pytest.mark.parametrize("mutate,field", BAD_CARDS, ids=[f for _, f in BAD_CARDS])
def test_malformed_card_names_card_and_field(hub, mutate, field):
    path = Path(os.environ["MSHUB_CARD_DIR"]) / "bad/cpu/2.10/bad_v1.0.md"
    path.parent.mkdir(parents=True)
    path.write_text(mutate(card_text("cnnctc/release/x.ckpt", "a" * 64)), encoding="utf-8")
    with pytest.raises(mshub.CardError) as err:
        mshub.load("bad/cpu/2.10/bad_v1.0", pretrained=False, source="local")
    assert str(path) in str(err.value) and field in str(err.value)


def test_unknown_uid_lists_close_matches(hub):
    with pytest.raises(mshub.UnknownModelError, match=re.escape(OFFICIAL)):
        mshub.load("mindspore/ascend/1.1/cnnctc_v1.2")
    with pytest.raises(mshub.UnknownModelError, match="mindspore/ascend/2.10/crnn_minivgg_v1.0"):
        mshub.load("crnn", pretrained=False)
    with pytest.raises(mshub.UnknownModelError, match="no close match"):
        mshub.load_weights(ms.nn.Dense(2, 2), "../../../etc/passwd")


# ---------------------------------------------------------------- loading from this checkout

@pytest.mark.parametrize("uid", BUNDLED)
def test_load_without_weights_builds_each_available_model(hub, uid):
    card = find_card(uid)
    if not (REPO / card.folder / "mindspore_hub_conf.py").is_file():
        for pretrained in (False, True):
            with pytest.raises(mshub.ModelNotAvailableError, match="not available in this checkout yet"):
                mshub.load(uid, pretrained=pretrained, source="local")
        return
    assert uid in EXPECTED_PARAMS, f"{uid}'s model is built: add its parameter count to EXPECTED_PARAMS"
    net = mshub.load(uid, pretrained=False, source="local")
    assert isinstance(net, ms.nn.Cell)
    assert params_of(net) == EXPECTED_PARAMS[uid]


def test_models_are_imported_in_isolation(hub, monkeypatch):
    foreign = type(sys)("src")
    monkeypatch.setitem(sys.modules, "src", foreign)
    first = mshub.load(SMALL, pretrained=False, source="local")
    second = mshub.load(SMALL, pretrained=False, source="local")
    assert sys.modules["src"] is foreign and not [k for k in sys.modules if k.startswith("src.")]
    first_module, second_module = type(first).__module__, type(second).__module__
    assert first_module.startswith("_hub_conf_model_cnnctc_") and first_module != second_module
    assert first_module in sys.modules and second_module in sys.modules  # kept for the graph compiler


def test_released_small_checkpoint_loads_offline(hub):
    """The default source with no base URL uses this checkout: the released checkpoint loads offline."""
    release = REPO / "cnnctc/release/cnnctc_cpu_small.ckpt"
    if not release.is_file():
        with pytest.raises(mshub.ModelNotAvailableError, match="not in this checkout yet"):
            mshub.load(SMALL)
        return
    recorded = release.with_name(release.name + ".sha256")
    if recorded.is_file():
        assert find_card(SMALL).checkpoint.sha256 == recorded.read_text(encoding="utf-8").split()[0], \
            "put the release's sha256 into the card's asset-sha256 (see hub_conf/README.md)"
    net = mshub.load(SMALL)
    assert params_of(net) == EXPECTED_PARAMS[SMALL]
    assert files_under(hub) == []


def test_local_asset_is_verified_in_place(hub):
    """A repository-relative asset is the checkout's own file, checked against the card's sha256."""
    uid, asset = "test/cpu/2.10/local_v1.0", REPO / "cnnctc/default_config.yaml"
    card = Path(os.environ["MSHUB_CARD_DIR"]) / f"{uid}.md"
    card.write_text(card_text("cnnctc/default_config.yaml", "0" * 64), encoding="utf-8")
    net = mshub.load(SMALL, pretrained=False, source="local")
    with pytest.raises(mshub.IntegrityError) as err:
        mshub.load_weights(net, uid, source="local")
    assert str(asset) in str(err.value) and sha256(asset) in str(err.value) and "0" * 64 in str(err.value)
    card.write_text(card_text("cnnctc/default_config.yaml", sha256(asset)), encoding="utf-8")
    with pytest.raises(mshub.WeightsError, match="cannot read checkpoint .*default_config.yaml"):
        mshub.load_weights(net, uid, source="local")
    assert asset.is_file() and files_under(hub) == []


# ---------------------------------------------------------------- remote sources

@pytest.mark.parametrize("uid,sub", [(URL_CARD, ""), (REL_CARD, ""), (URL_CARD, "/whole")],
                         ids=["https-asset", "repo-asset", "whole-repo-archive"])
def test_remote_load_gives_the_source_networks_outputs(hub, server, monkeypatch, reference, uid, sub):
    serve(monkeypatch, server, sub)
    net = mshub.load(uid)
    net.set_train(False)
    np.testing.assert_allclose(net(ms.Tensor(reference.x)).asnumpy(), reference.y, rtol=1e-5, atol=1e-6)
    assert f"{sub}/cnnctc.tar.gz" in server.requests
    assert "test/cpu/2.10/small_test.ckpt" in files_under(hub)
    assert "test/cpu/2.10/cnnctc/mindspore_hub_conf.py" in files_under(hub)
    assert not [f for f in files_under(hub) if ".part" in f or ".download-" in f]


def test_cache_reuse_and_force_reload(hub, server, monkeypatch):
    serve(monkeypatch, server)
    mshub.load(URL_CARD)
    fetched = len(server.requests)
    assert fetched == 2
    mshub.load(URL_CARD)
    assert len(server.requests) == fetched  # cached model folder and checkpoint, no network
    mshub.load(URL_CARD, force_reload=True)
    assert server.requests[fetched:] == ["/cnnctc.tar.gz", "/zoo/small_test.ckpt"]
    server.stop()
    net = mshub.load(URL_CARD)  # works offline from the cache
    assert params_of(net) == EXPECTED_PARAMS[SMALL]
    with pytest.raises(mshub.DownloadError, match="cannot reach 127.0.0.1"):
        mshub.load(URL_CARD, force_reload=True)
    assert "test/cpu/2.10/small_test.ckpt" in files_under(hub)  # a failed reload keeps the valid cache


def test_sha_mismatch_is_an_integrity_error_and_leaves_nothing(hub, server, monkeypatch):
    serve(monkeypatch, server)
    cached = hub / "mindspore/ascend/1.1/cnnctc_ascend_v111_offical_cv_bs192_acc85.ckpt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"a corrupt earlier download")
    actual = hashlib.sha256(b"not the official checkpoint").hexdigest()
    with pytest.raises(mshub.IntegrityError) as err:
        mshub.load_weights(ms.nn.Dense(2, 2), OFFICIAL)
    assert OFFICIAL_SHA in str(err.value) and actual in str(err.value)
    assert server.requests == [OFFICIAL_PATH]
    assert files_under(hub) == []


def test_remote_model_not_built(hub, server, monkeypatch):
    serve(monkeypatch, server, "/unbuilt")
    with pytest.raises(mshub.ModelNotAvailableError, match=r"not available in the archive .*/unbuilt/cnnctc.tar.gz"):
        mshub.load(URL_CARD, pretrained=False)


@pytest.mark.parametrize("sub,message", [("/dotdot", "absolute path or '..'"),
                                         ("/nested_dotdot", "absolute path or '..'"),
                                         ("/absolute", "absolute path or '..'"),
                                         ("/symlink", "not a regular file")])
def test_archive_path_traversal_refused(hub, server, monkeypatch, tmp_path, sub, message):
    serve(monkeypatch, server, sub)
    with pytest.raises(mshub.DownloadError, match=f"refused archive .*{re.escape(message)}"):
        mshub.load(URL_CARD, pretrained=False)
    assert files_under(hub) == []
    assert not (tmp_path / "evil.py").exists() and not Path("/tmp/hub_conf_test_evil.py").exists()


@pytest.mark.parametrize("base,message", [("{url}/missing", "HTTP error 404"),
                                          ("http://127.0.0.1:{port}", "cannot reach 127.0.0.1"),
                                          ("{url}/truncated", "truncated download .* got 10 of 100000 bytes")])
def test_download_errors_are_clear(hub, server, monkeypatch, base, message):
    monkeypatch.setenv("MSHUB_GITEE_URL", base.format(url=server.url, port=free_port()))
    set_model_sha(sha256(server.root / "cnnctc.tar.gz"))
    with pytest.raises(mshub.DownloadError, match=message):
        mshub.load(URL_CARD, pretrained=False)
    assert files_under(hub) == []


def test_remote_model_needs_a_matching_model_sha256(hub, server, monkeypatch):
    """The model folder is code that load runs: no download without model-sha256, no install on a mismatch."""
    monkeypatch.setenv("MSHUB_GITEE_URL", server.url)
    with pytest.raises(mshub.IntegrityError, match='has no model-sha256.*source="local"'):
        mshub.load(URL_CARD, pretrained=False)
    assert server.requests == []
    set_model_sha("0" * 64)
    with pytest.raises(mshub.IntegrityError) as err:
        mshub.load(URL_CARD, pretrained=False)
    assert "0" * 64 in str(err.value) and sha256(server.root / "cnnctc.tar.gz") in str(err.value)
    assert "model-sha256" in str(err.value) and server.requests == ["/cnnctc.tar.gz"]
    assert files_under(hub) == [] and not list(hub.rglob("*.download-*"))


def test_plain_tar_cut_on_a_member_boundary_is_refused(hub, server, monkeypatch):
    """A plain tar cut where a member starts reads as a smaller valid tar: only the card's digest catches it."""
    cut, full = server.root / "cut/cnnctc.tar.gz", server.root / "plain/cnnctc.tar.gz"
    with tarfile.open(cut) as tar:
        assert len(tar.getmembers()) == 5
    serve(monkeypatch, server, "/cut")
    set_model_sha(sha256(full))
    with pytest.raises(mshub.IntegrityError, match=sha256(cut)):
        mshub.load(URL_CARD, pretrained=False)
    assert files_under(hub) == []
    serve(monkeypatch, server, "/plain")  # the whole plain tar under the .tar.gz name is fine
    assert params_of(mshub.load(URL_CARD, pretrained=False)) == EXPECTED_PARAMS[SMALL]


def test_extraction_checks_that_every_file_arrived(served, tmp_path, monkeypatch):
    extractall = tarfile.TarFile.extractall

    def drop_last(self, path=".", members=None, **kwargs):
        return extractall(self, path, members=members[:-1], **kwargs)

    monkeypatch.setattr(tarfile.TarFile, "extractall", drop_last)
    with pytest.raises(mshub.DownloadError, match=r"archive test\.tar\.gz: member 'cnnctc/.*' did not arrive"):
        extract_tar(str(served / "cnnctc.tar.gz"), str(tmp_path / "tree"), "test.tar.gz")


def test_incomplete_or_outdated_cached_folder_is_fetched_again(hub, server, monkeypatch):
    serve(monkeypatch, server)
    mshub.load(URL_CARD, pretrained=False)
    folder = hub / "test/cpu/2.10/cnnctc"
    (folder / "mindspore_hub_conf.py").unlink()
    assert params_of(mshub.load(URL_CARD, pretrained=False)) == EXPECTED_PARAMS[SMALL]
    assert server.requests == ["/cnnctc.tar.gz", "/cnnctc.tar.gz"]
    mshub.load(URL_CARD, pretrained=False)
    assert len(server.requests) == 2  # complete again: reused
    serve(monkeypatch, server, "/whole")  # the card now names another archive
    mshub.load(URL_CARD, pretrained=False)
    assert server.requests[2:] == ["/whole/cnnctc.tar.gz"]
    manifest = json.loads((folder / ".hub_manifest.json").read_text(encoding="utf-8"))
    with tarfile.open(server.root / "whole/cnnctc.tar.gz") as tar:
        files = {m.name.split("/", 2)[2]: [m.size, hashlib.sha256(tar.extractfile(m).read()).hexdigest()]
                 for m in tar.getmembers() if m.isfile()}
    assert manifest == {"archive-sha256": sha256(server.root / "whole/cnnctc.tar.gz"), "files": files}
    conf = folder / "mindspore_hub_conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace("import", "imporT", 1), encoding="utf-8")  # same size
    mshub.load(URL_CARD, pretrained=False)
    assert server.requests[3:] == ["/whole/cnnctc.tar.gz"] and "imporT" not in conf.read_text(encoding="utf-8")


def test_replaced_folders_are_set_aside_and_swept_a_day_later(hub, server, monkeypatch):
    """A replaced model folder may still be imported by another process: renamed, deleted a day later."""
    serve(monkeypatch, server)
    mshub.load(URL_CARD, pretrained=False)
    mshub.load(URL_CARD, pretrained=False, force_reload=True)
    cache = hub / "test/cpu/2.10"
    stale = [p for p in cache.iterdir() if p.name.startswith(".cnnctc.stale-")]
    assert len(stale) == 1 and (stale[0] / "mindspore_hub_conf.py").is_file()
    (cache / ".cnnctc.download-killed").mkdir()  # left by a process killed while downloading
    mshub.load(URL_CARD, pretrained=False)
    assert stale[0].is_dir() and not (cache / ".cnnctc.download-killed").exists()
    day_old = time.time() - 86400 - 60
    os.utime(stale[0], (day_old, day_old))
    mshub.load(URL_CARD, pretrained=False)
    assert not stale[0].exists() and server.requests == ["/cnnctc.tar.gz", "/cnnctc.tar.gz"]


CONCURRENT_LOAD = """
import os, sys, time
import hub_conf
open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()
while len(os.listdir(sys.argv[1])) < int(sys.argv[2]):  # start loading together
    time.sleep(0.01)
net = hub_conf.load(sys.argv[3], pretrained=False)
print(sum(p.size for p in net.get_parameters()))
"""


def test_concurrent_loads_into_an_empty_cache_download_once(hub, server, monkeypatch, tmp_path):
    serve(monkeypatch, server)
    server.httpd.delay = 0.5  # the first download still runs when the others ask
    ready, count = tmp_path / "ready", 4
    ready.mkdir()
    env = dict(os.environ, MSHUB_DIR=str(hub))
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT_LOAD, str(ready), str(count), URL_CARD], cwd=REPO,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(count)]
    try:
        outputs = [proc.communicate(timeout=300) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert out.split()[-1] == str(EXPECTED_PARAMS[SMALL])
    assert server.requests == ["/cnnctc.tar.gz"]


def test_the_official_ctcmodel_checkpoint_layout_loads_through_the_model_hook(tmp_path):
    """The v1.3 card's checkpoint (MindSpore 1.3 on Ascend: ``lstm.weight_fw0`` ...) loads through the
    ctcmodel network's ``convert_checkpoint`` hook."""
    folder = str(REPO / "ctcmodel")
    net, convert = create_network(folder, "ctcmodel")
    rng = np.random.default_rng(0)
    legacy = {"embedding.weight": rng.normal(size=(62, 256)).astype(np.float32),
              "embedding.bias": rng.normal(size=62).astype(np.float32), "global_step": np.array([5], np.int32)}
    for layer, width in ((0, 39 + 128), (1, 256 + 128)):
        for direction in ("fw", "bw"):
            legacy[f"lstm.weight_{direction}{layer}"] = rng.normal(size=(width, 512)).astype(np.float16)
            legacy[f"lstm.bias_{direction}{layer}"] = rng.normal(size=512).astype(np.float16)
    path = tmp_path / "ctcmodel_v130.ckpt"
    ms.save_checkpoint([{"name": n, "data": ms.Tensor(v)} for n, v in legacy.items()], str(path))
    assert convert == net.convert_checkpoint
    assert load_strict(net, str(path), folder, convert) == ["global_step"]  # training state: ignored
    weights = {p.name: p.asnumpy() for p in net.get_parameters()}
    i, j, f, o = np.split(legacy["lstm.weight_bw1"].astype(np.float32), 4, axis=1)
    np.testing.assert_array_equal(weights["lstm.weight_hh_l1_reverse"], np.concatenate([i, f, j, o], 1)[256:].T)
    assert not weights["lstm.bias_hh_l0"].any()
    with pytest.raises(mshub.WeightsError, match="does not fit"):
        load_strict(net, str(path), folder)  # without the hook: the old names do not fit


def test_hub_conf_with_a_syntax_error_is_a_hub_error(tmp_path):
    (tmp_path / "mindspore_hub_conf.py").write_text("def create_network(:\n", encoding="utf-8")
    with pytest.raises(mshub.HubError, match=r"cannot import .*mindspore_hub_conf\.py: SyntaxError: .* line 1"):
        create_network(str(tmp_path), "cnnctc")


def test_unwritable_cache_is_a_download_error(hub, server, monkeypatch, tmp_path):
    serve(monkeypatch, server)
    (tmp_path / "file").write_text("a regular file", encoding="utf-8")
    mshub.set_hub_dir(str(tmp_path / "file/cache"))
    message = f"cannot write the cache directory {re.escape(str(tmp_path / 'file/cache'))}/test/cpu/2.10"
    with pytest.raises(mshub.DownloadError, match=message):
        mshub.load(URL_CARD, pretrained=False)
    with pytest.raises(mshub.DownloadError, match=message):
        mshub.load_weights(ms.nn.Dense(2, 2), URL_CARD)
    assert server.requests == []


# ---------------------------------------------------------------- weights

def test_load_weights_loads_the_card_checkpoint(hub, server, monkeypatch, reference):
    serve(monkeypatch, server)
    net = mshub.load(SMALL, pretrained=False, source="local")
    mshub.load_weights(net, URL_CARD)
    saved = ms.load_checkpoint(str(reference.ckpt))
    for p in net.get_parameters():
        np.testing.assert_array_equal(p.asnumpy(), saved[p.name].asnumpy())
    with pytest.raises(TypeError, match="mindspore.nn.Cell"):
        mshub.load_weights("not a network", URL_CARD)


def test_strict_loading_reports_names(hub, tmp_path, reference):
    """The hub loads as the model folder's model_utils: training state ignored, each mismatch named."""
    net = mshub.load(SMALL, pretrained=False, source="local")
    folder = str(REPO / "cnnctc")  # the folder of the SMALL card
    params = ms.load_checkpoint(str(reference.ckpt))
    extras = {"moment.Prediction.weight": params["Prediction.weight"], "global_step": ms.Parameter(
        ms.Tensor([7], ms.int32), name="global_step"), "learning_rate": ms.Parameter(ms.Tensor([1e-3]))}
    cases = {
        "train_state": ({**params, **extras}, None),
        "missing": ({k: v for k, v in params.items() if k != "Prediction.bias"},
                    "1 missing from the file: Prediction.bias"),
        "unexpected": ({**params, "head.weight": params["Prediction.weight"]},
                       "1 unmapped: head.weight"),
        "reshaped": ({**params, "Prediction.bias": ms.Parameter(ms.Tensor(np.zeros(5, np.float32)))},
                     "Prediction.bias: file (5,) vs network (37,)"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name}.ckpt"
        ms.save_checkpoint([{"name": k, "data": v} for k, v in content.items()], str(path))
        if message is None:
            assert load_strict(net, str(path), folder) == ["global_step", "learning_rate", "moment.Prediction.weight"]
        else:
            with pytest.raises(mshub.WeightsError, match=re.escape(message)):
                load_strict(net, str(path), folder)
    (tmp_path / "broken.ckpt").write_bytes(b"not a checkpoint")
    with pytest.raises(mshub.WeightsError, match="cannot read checkpoint"):
        load_strict(net, str(tmp_path / "broken.ckpt"), folder)


# ---------------------------------------------------------------- settings and command line

def test_settings(hub, monkeypatch, tmp_path):
    assert mshub.get_hub_dir() == str(hub)
    mshub.set_hub_dir(None)
    monkeypatch.setenv("MSHUB_DIR", str(tmp_path / "env"))
    assert mshub.get_hub_dir() == str(tmp_path / "env")
    monkeypatch.delenv("MSHUB_DIR")
    assert mshub.get_hub_dir() == os.path.expanduser("~/.mscache")

    assert [settings.base_url(s) for s in settings.SOURCES] == [None, None, None]
    monkeypatch.setenv("MSHUB_BASE_URL", "http://mirror.example/zoo/")
    monkeypatch.setenv("MSHUB_GITHUB_URL", "http://github.example/zoo")
    assert [settings.base_url(s) for s in settings.SOURCES] == ["http://mirror.example/zoo",
                                                                 "http://github.example/zoo", None]
    with pytest.raises(mshub.HubError, match="source must be one of gitee, github, local"):
        mshub.load(SMALL, source="svn")
    assert settings.mirrored("https://download.mindspore.cn/a/b.ckpt") == "https://download.mindspore.cn/a/b.ckpt"
    monkeypatch.setenv("MSHUB_ASSET_MIRROR", "http://127.0.0.1:8000/prefix/")
    assert settings.mirrored("https://download.mindspore.cn/a/b.ckpt") == "http://127.0.0.1:8000/prefix/a/b.ckpt"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hub_conf", *args], cwd=REPO, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli(hub, server, monkeypatch):
    monkeypatch.setenv("MSHUB_DIR", str(hub))
    listing = run_cli("list")
    assert listing.returncode == 0, listing.stderr
    for uid in REQUIRED:
        assert uid in listing.stdout
    assert re.search(r"mindspore/ascend/1\.1/cnnctc_v1\.1\s+cnnctc\s+ready", listing.stdout)

    info = run_cli("info", OFFICIAL)
    assert info.returncode == 0, info.stderr
    assert OFFICIAL_SHA in info.stdout and "tree/main/cnnctc" in info.stdout and "model-name: cnnctc" in info.stdout

    unknown = run_cli("info", "mindspore/ascend/1.1/cnnctc_v1.2")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert unknown.stderr.startswith("error: unknown model uid") and OFFICIAL in unknown.stderr

    serve(monkeypatch, server)
    download = run_cli("download", URL_CARD)
    assert download.returncode == 0, download.stderr
    assert "sha256 verified" in download.stdout and "Downloading small_test.ckpt" in download.stderr
    assert "test/cpu/2.10/small_test.ckpt" in files_under(hub)

    load = run_cli("load", URL_CARD)
    assert load.returncode == 0, load.stderr
    assert "2,782,301 parameters, checkpoint loaded" in load.stdout

    bad = Path(os.environ["MSHUB_CARD_DIR"]) / "bad/cpu/2.10/bad_v1.0.md"
    bad.parent.mkdir(parents=True)
    bad.write_text(card_text("cnnctc/release/x.ckpt", "a" * 63), encoding="utf-8")
    broken = run_cli("list")
    assert broken.returncode == 2 and "INVALID" in broken.stdout and "asset-sha256" in broken.stdout


def test_cli_refuses_a_missing_card_dir_and_an_unavailable_device(hub, monkeypatch, tmp_path):
    import mindspore as ms

    monkeypatch.setenv("MSHUB_DIR", str(hub))
    device = next(d for d in ("GPU", "Ascend") if not ms.hal.is_available(d))
    unavailable = run_cli("load", OFFICIAL, "--source", "local", "--device", device)
    assert unavailable.returncode == 2 and "Traceback" not in unavailable.stderr, unavailable.stderr
    assert unavailable.stderr.splitlines() == [f"error: --device {device} is not available in this MindSpore build "
                                               "or on this machine (available: CPU)"]
    monkeypatch.setenv("MSHUB_CARD_DIR", str(tmp_path / "nonexistent"))
    listing = run_cli("list")
    assert listing.returncode == 2 and listing.stdout == "", listing.stdout
    assert listing.stderr.splitlines() == [f"error: the card directory {tmp_path / 'nonexistent'} ($MSHUB_CARD_DIR) "
                                           "is not a folder"]


BAD_NAME = "bad/cpu/2.10/bad_v1.0"
CLI_ERRORS = [  # case, command, card BAD_NAME's change or None, the error
    ("syntax-error", ["load", URL_CARD, "--no_pretrained"], None,
     r"cannot import .*mindspore_hub_conf\.py: SyntaxError"),
    ("model-name", ["info", BAD_NAME], lambda t: t.replace("model-name: cnnctc_cpu_small", "model-name: [a, b]"),
     r"card .*bad_v1\.0\.md: field 'model-name' must be a non-empty string"),
    ("asset-link", ["download", BAD_NAME],
     lambda t: re.sub(r"asset-link: .*", "asset-link: <https://download.example.com/zoo/..>", t),
     r"card .*bad_v1\.0\.md: field 'asset-link' .* must end in a file name"),
    ("unwritable-cache", ["download", URL_CARD], None, r"cannot write the cache directory .*/file/cache/test"),
]


@pytest.mark.parametrize("command,mutate,message", [c[1:] for c in CLI_ERRORS], ids=[c[0] for c in CLI_ERRORS])
def test_cli_errors_are_one_line(hub, server, monkeypatch, tmp_path, command, mutate, message):
    serve(monkeypatch, server, "/syntax")
    (tmp_path / "file").write_text("a regular file", encoding="utf-8")
    monkeypatch.setenv("MSHUB_DIR", str(tmp_path / "file/cache" if "cache" in message else hub))
    if mutate is not None:
        bad = Path(os.environ["MSHUB_CARD_DIR"]) / f"{BAD_NAME}.md"
        bad.parent.mkdir(parents=True)
        bad.write_text(mutate(card_text("https://download.example.com/zoo/small_test.ckpt", "a" * 64)),
                       encoding="utf-8")
    result = run_cli(*command)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert len(errors) == 1 and re.search(message, errors[0]) and errors[0] == result.stderr.splitlines()[-1]
    assert not list(tmp_path.rglob("*.part"))
