"""hub_conf behaves as the real mindspore_hub (v2.0.0) does, and reads the real hub's cards.

Written from the real hub's documented behaviour and its own unit tests: the exceptions it raises,
``hub_list(version, force_reload)``, ``mindspore_hub.info.CellInfo`` and ``__version__``, ``load`` by card URL
and (``source="local"``) by card file with the model name in lower case, ``mindspore_hub.load.load_weights``
returning the parameter dict.  ``tests/hub_cards/`` holds real cards with what the real ``CellInfo`` reads
from them, and the dataset names its checker accepts, which every card of ours must use.
"""
from __future__ import annotations

import json
import numbers
import re
import shutil
import sys
from pathlib import Path

import mindspore as ms
import numpy as np
import pytest
import yaml

import hub_conf as mshub
from hub_conf.info import CellInfo

REPO = Path(__file__).resolve().parents[1]
CARDS = REPO / "hub_conf/cards"
BUNDLED = sorted(p.relative_to(CARDS).with_suffix("").as_posix() for p in CARDS.rglob("*.md"))
REAL = Path(__file__).resolve().parent / "hub_cards"
EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
# hub_conf refuses an asset-sha256 that is not 64 hex digits (the real checker does not check it)
SHORT_SHA = {"mindspore/2.3/coat_tiny_imagenet2012.md", "mindspore/2.3/hrnet_w32_imagenet2012.md",
             "mindspore/2.3/mixnet_s_imagenet2012.md"}
OFFICIAL = "mindspore/ascend/1.1/cnnctc_v1.1"
SMALL = "mindspore/cpu/2.10/cnnctc_cpu_small_v1.0"
CRNN_SMALL = "mindspore/cpu/2.10/crnn_cpu_small_v1.0"
SMALL_PARAMS = 2_782_301
ENV = ("MSHUB_DIR", "MSHUB_CARD_DIR", "MSHUB_BASE_URL", "MSHUB_GITEE_URL", "MSHUB_GITHUB_URL", "MSHUB_ASSET_MIRROR")


@pytest.fixture
def cards(tmp_path, monkeypatch) -> Path:
    """A copy of the bundled cards as the card directory, no other MSHUB_* variable, a temporary cache."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    shutil.copytree(CARDS, tmp_path / "cards")
    monkeypatch.setenv("MSHUB_CARD_DIR", str(tmp_path / "cards"))
    mshub.set_hub_dir(str(tmp_path / "cache"))
    yield tmp_path / "cards"
    mshub.set_hub_dir(None)


def small_card(**changes: str) -> str:
    """The cpu_small cnnctc card's text with ``field: value`` lines replaced (``asset=""`` drops the assets)."""
    text = (CARDS / f"{SMALL}.md").read_text(encoding="utf-8")
    for field, value in changes.items():
        field = field.replace("_", "-")
        if field == "asset":
            text = re.sub(r"\nasset:\n.*?\n(?=license:)", "\n", text, flags=re.S)
        else:
            text = re.sub(rf"^{field}:.*$", f"{field}: {value}" if value else f"{field}:", text, flags=re.M)
    return text


def params_of(net: ms.nn.Cell) -> int:
    return sum(p.size for p in net.get_parameters())


# ---------------------------------------------------------------- errors

def test_errors_are_the_builtin_exceptions_mindspore_hub_raises(cards, tmp_path):
    (cards / "test/cpu/2.10").mkdir(parents=True)
    (cards / "test/cpu/2.10/no_ckpt_v1.0.md").write_text(small_card(asset=""), encoding="utf-8")
    (tmp_path / "no_repo.md").write_text(small_card(repo_link=""), encoding="utf-8")
    from hub_conf.load import load_weights

    cases = [(lambda: mshub.load(1), TypeError),
             (lambda: mshub.load(SMALL, pretrained="True"), TypeError),
             (lambda: mshub.load(SMALL, force_reload=1.0), TypeError),
             (lambda: load_weights(SMALL, force_reload="no"), TypeError),
             (lambda: mshub.hub_list(1.1), TypeError),
             (lambda: mshub.hub_list(force_reload=1), TypeError),
             (lambda: mshub.load("https://www.baidu.com"), ValueError),
             (lambda: mshub.load("https://gitee.com/mindspore/hub/raw/master/mshub_res/assets/mindspore"), ValueError),
             (lambda: mshub.load("https://gitee.com/mindspore/hub/blob/master/mshub_res/assets/mindspore/1.6/"
                                 "lenet_mnist.md"), ValueError),  # a real card, but none of this card directory
             (lambda: mshub.load(SMALL, source="svn"), ValueError),
             (lambda: mshub.hub_list("1.8"), ValueError),
             (lambda: mshub.load("test/cpu/2.10/no_ckpt_v1.0", source="local"), ValueError),  # pretrained, no ckpt
             (lambda: load_weights("test/cpu/2.10/no_ckpt_v1.0", source="local"), ValueError),
             (lambda: mshub.load(str(tmp_path / "no_repo.md"), source="local"), ValueError),
             (lambda: mshub.load(str(tmp_path / "missing.md"), source="local"), ValueError)]
    for call, builtin in cases:
        with pytest.raises(builtin) as err:
            call()
        assert isinstance(err.value, mshub.HubError), err.value
    with pytest.raises(mshub.ArgumentError, match="`pretrained` must be False"):
        mshub.load("test/cpu/2.10/no_ckpt_v1.0", source="local")
    with pytest.raises(mshub.ModelNotAvailableError, match="empty repo-link"):
        mshub.load(str(tmp_path / "no_repo.md"), pretrained=False, source="local")
    with pytest.raises(mshub.ArgumentError, match="names no card.*did you mean"):
        mshub.load(f"https://gitee.com/a/b/blob/main/hub_conf/cards/{SMALL[:-1]}.md")


# ---------------------------------------------------------------- hub_list, CellInfo, __version__

def test_hub_list_lists_the_model_names_of_an_asset_branch(cards):
    names = mshub.hub_list()
    assert names == sorted({uid.rsplit("/", 1)[-1] for uid in mshub.hub_uids()}) and "cnnctc_cpu_small_v1.0" in names
    assert mshub.hub_list("master", True) == mshub.hub_list(None, force_reload=False) == names
    assert mshub.hub_list("r1.1") == ["cnnctc_v1.1"]
    assert mshub.hub_list("r1.8") == ["cnnctc_v1.1", "ctcmodel_v1.3"]
    assert mshub.hub_list("r2.10") == names
    assert mshub.hub_uids("1.1") == [OFFICIAL]


def test_cell_info_and_version(cards, tmp_path):
    info = CellInfo(str(cards / f"{SMALL}.md"))
    assert (info.uid, info.name, info.type, info.asset_id, info.dataset) == (SMALL, "cnnctc_cpu_small", "cv", 0, "none")
    assert info.repo_link == "<https://gitee.com/ctc-model-zoo/ctc_model_zoo/tree/main/cnnctc>"
    assert info.asset[0]["asset-link"] == "cnnctc/release/cnnctc_cpu_small.ckpt" and info.fine_tunable is True
    assert CellInfo(str(cards / "mindspore/ascend/2.10/crnn_minivgg_v1.0.md")).asset_id is None  # no asset
    shutil.copy(cards / f"{SMALL}.md", tmp_path / "elsewhere.md")
    assert CellInfo(str(tmp_path / "elsewhere.md")).uid == "local/elsewhere"
    assert mshub.__version__ == "2.0.0"


# ---------------------------------------------------------------- load and load_weights

def test_load_by_card_url_and_card_file_with_the_model_name_in_lower_case(cards, tmp_path):
    for url in (f"https://gitee.com/ctc-model-zoo/ctc_model_zoo/blob/main/hub_conf/cards/{SMALL}.md",
                f"https://raw.githubusercontent.com/o/r/main/hub_conf/cards/{SMALL}.md"):
        assert params_of(mshub.load(url, pretrained=False)) == SMALL_PARAMS
    upper = tmp_path / "Upper_v1.0.md"
    upper.write_text(small_card(model_name="CNNCTC_CPU_SMALL"), encoding="utf-8")
    assert params_of(mshub.load(str(upper), pretrained=False, source="local")) == SMALL_PARAMS
    with pytest.raises(mshub.UnknownModelError):  # a card file only with source="local", as in mindspore_hub
        mshub.load(str(upper), pretrained=False)


def test_load_weights_in_both_forms(cards):
    from hub_conf.load import load_weights

    assert mshub.load is sys.modules["hub_conf.load"].load  # the function, as mindspore_hub.load is
    params = load_weights(SMALL, source="local")
    net = mshub.load(SMALL, pretrained=False, source="local")
    names = {p.name for p in net.get_parameters()}
    assert names <= set(params)
    mshub.load_weights(net, SMALL, source="local")  # hub_conf's form: strictly into the network
    for p in net.get_parameters():
        np.testing.assert_array_equal(p.asnumpy(), params[p.name].asnumpy())


def test_models_of_two_folders_load_in_one_process(cards):
    """The real hub fails here (``No module named 'src.crnn'``: the second folder's ``src`` is the first's)."""
    before = sys.modules.get("src")
    cnn = mshub.load(SMALL, pretrained=False, source="local")
    crnn = mshub.load(CRNN_SMALL, pretrained=False, source="local")
    assert type(cnn).__module__.startswith("_hub_conf_model_cnnctc_")
    assert type(crnn).__module__.startswith("_hub_conf_model_crnn_")
    assert sys.modules.get("src") is before  # no folder's src is left under the name src
    crnn.set_train(False)
    assert crnn(ms.Tensor(np.zeros((1, 1, 32, 64), np.float32))).shape[-1] == 37


# ---------------------------------------------------------------- real cards

@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_real_hub_cards_read_as_mindspore_hub_reads_them(rel):
    path = str(REAL / "assets" / rel)
    if rel in SHORT_SHA:
        with pytest.raises(mshub.CardError, match=r"'asset-sha256' .* 64 hex digits"):
            CellInfo(path)
        return
    info = CellInfo(path)
    read = {"name": info.name, "type": info.type, "evaluation": info.evaluation, "repo_link": info.repo_link,
            "asset_id": info.asset_id, "mindspore_version": str(info.mindspore_version),
            "assets": len(info.asset or [])}
    assert read == EXPECTED[rel]


REAL_REQUIRED = ("backbone-name", "module-type", "fine-tunable", "model-version", "author", "update-time",
                 "repo-link", "user-id", "used-for", "mindspore-version", "license", "summary")
REAL_MODULE_TYPES = ("gnn", "rl", "audio", "cv", "cvtmodel", "nlp", "recommend", "cross", "hpc", "mm", "other")
TRAIN_DATASETS = set((REAL / "train_datasets.txt").read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("uid", BUNDLED)
def test_our_cards_pass_the_real_checkers_rules(uid):
    """The rules of the real checker (``mindspore_hub/_utils/check.py``) that need no network."""
    lines = (CARDS / f"{uid}.md").read_text(encoding="utf-8").splitlines(keepends=True)
    fences = [i for i, line in enumerate(lines) if line.startswith("---")]
    assert len(fences) == 2, "exactly two lines may start with '---'"
    header = yaml.safe_load("".join(line.replace("-", "no") if "evaluation: -" in line else line
                                    for line in lines[fences[0] + 1:fences[1]]))
    assert [f for f in REAL_REQUIRED if f not in header] == []
    assert isinstance(header["fine-tunable"], bool)
    dataset = header.get("train-dataset")
    if dataset:
        assert set(str(dataset).split("_")) <= TRAIN_DATASETS, f"train-dataset {dataset!r}: use the hub's names"
    assert header["module-type"].split("-", 1)[0].lower() in REAL_MODULE_TYPES
    assert all(u.lower() in ("inference", "extract-feature", "transfer-learning") for u in header["used-for"].split("/"))
    for asset in header.get("asset") or []:
        assert {"asset-link", "asset-sha256", "file-format"} <= set(asset)
        assert asset["file-format"].lower() in ("air", "ckpt", "onnx", "mindir", "mslite")
    if "accuracy" in header:
        assert isinstance(header["accuracy"], numbers.Number)
    colons = [k for k, v in header.items() if k not in ("repo-link", "asset", "evaluation") and ":" in str(v)]
    assert colons == [], "the real checker refuses a ':' in these fields' values"
    host, path = header["repo-link"].strip("<>").rstrip("/").split("://", 1)[1].split("/", 1)
    repo_info = path.split("/", 4)  # group/repo, or group/repo/tree|blob/branch[/folder]
    assert ".com" in host and (len(repo_info) == 2 or (len(repo_info) in (4, 5) and repo_info[2] in ("tree", "blob")))
    headings = [line.strip() for line in lines[fences[1] + 1:] if line.startswith("#")]
    assert not [h for h in headings if h.endswith(":")]
    if "/cpu/2.10/" in uid:  # trained here on synthesized data: train-dataset none, "synthesized" in the summary
        assert dataset == "none" and "synthesized" in header["summary"]
