"""``CellInfo(md_path)``: a card's fields under the attribute names of ``mindspore_hub.info.CellInfo``.

The card is read and validated as ``load`` reads it (hub_conf/card.py); the attributes hold the header's
values as written (``repo_link`` with its angle brackets), except ``type``, the ``module-type`` before its
first ``-``, as mindspore_hub keeps it.  ``asset_id`` is the index of the last ``ckpt`` asset (0 when no
asset is a ckpt, None without assets), the one mindspore_hub loads.
"""
from __future__ import annotations

from typing import Optional

from .names import card_of_file


class CellInfo:  # pylint: disable=too-many-instance-attributes,too-few-public-methods
    """The information of the card in file ``md_path``."""

    def __init__(self, md_path: str):
        card = card_of_file(md_path)
        header = card.header
        self.uid = card.uid
        self.name = header.get("model-name")
        self.backbone_name = header.get("backbone-name")
        self.type = str(header.get("module-type")).split("-", 1)[0]
        self.fine_tunable = header.get("fine-tunable")
        self.input_shape = header.get("input-shape")
        self.author = header.get("author")
        self.update_time = header.get("update-time")
        self.repo_link = header.get("repo-link")
        self.user_id = header.get("user-id")
        self.backend = header.get("backend")
        if header.get("allow-cache-ckpt") is not None:
            self.allow_cache_ckpt = header["allow-cache-ckpt"]
        self.dataset = header.get("train-dataset")
        self.license = header.get("license")
        self.accuracy = header.get("accuracy")
        self.used_for = header.get("used-for")
        self.model_version = header.get("model-version")
        self.mindspore_version = header.get("mindspore-version")
        self.asset = header.get("asset")
        self.asset_id = _asset_id(self.asset)
        self.evaluation = header.get("evaluation")


def _asset_id(assets: Optional[list]) -> Optional[int]:
    if not assets:
        return None
    ckpts = [i for i, asset in enumerate(assets) if str(asset.get("file-format", "")).lower() == "ckpt"]
    return ckpts[-1] if ckpts else 0
