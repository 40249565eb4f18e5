"""A PyTorch twin of ModelScope's ConvNextViT (``cv_convnextTiny_ocr-recognition-*_damo``) and of its
preprocessing, written from ../shared/reference/peer_models_notes.md (section ModelScope ConvNextViT), not
copied from ModelScope.

``ConvNextViT().state_dict()`` has ModelScope's 321 keys (``cnn_model.downsample_layers.0.0.weight`` ...
``vitstr.head.bias``).  ``forward`` takes the windows of N lines as ModelScope's preprocessor makes them
(each line's 3 windows of 32x300 in a row: [3N, 3, 32, 300], RGB in [0, 1]) and returns raw logits
(N, 201, C), stitched as the notes say; ``forward_window`` reads each window alone (N, 75, C), as our
one-window plate profile does.  ``modelscope_windows`` is the notes' preprocessing, computed here
independently of ``convtransformer_ocr/src/preprocess.py``.
"""
from __future__ import annotations

import cv2
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

EPS = 1e-6
WINDOW, WINDOW_STEPS, LINE = 300, 75, 804
WINDOW_LEFTS = (0, 252, 504)
KEPT_STEPS = ((0, 69), (6, 69), (6, 75))  # window 0, 1, 2: 69 + 63 + 69 = 201 steps


class ChannelsFirstLayerNorm(nn.Module):
    """LayerNorm over the channels of (N, C, H, W), written out with the biased variance."""

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        return self.weight[:, None, None] * (x - mean) / torch.sqrt(var + EPS) + self.bias[:, None, None]


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.gamma = nn.Parameter(torch.full((dim,), 1e-6))
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.pwconv2 = nn.Linear(4 * dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.gamma * self.pwconv2(F.gelu(self.pwconv1(self.norm(y))))
        return x + y.permute(0, 3, 1, 2)


class ConvNeXt(nn.Module):
    """in_chans 1; stem conv 4x4 stride 4 + LayerNorm; then LayerNorm + conv (2, 1) stride (2, 1), per stage."""

    def __init__(self, depths=(3, 3, 8, 3), dims=(96, 192, 256, 512)):
        super().__init__()
        self.downsample_layers = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(1, dims[0], 4, stride=4), ChannelsFirstLayerNorm(dims[0]))]
            + [nn.Sequential(ChannelsFirstLayerNorm(dims[i - 1]), nn.Conv2d(dims[i - 1], dims[i], (2, 1), (2, 1)))
               for i in range(1, 4)])
        self.stages = nn.ModuleList(nn.Sequential(*[ConvNeXtBlock(dim) for _ in range(depth)])
                                    for depth, dim in zip(depths, dims))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for down, stage in zip(self.downsample_layers, self.stages):
            x = stage(down(x))
        return x


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, s, d = x.shape
        q, k, v = self.qkv(x).reshape(n, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attn = (q @ k.transpose(-2, -1) * (d // self.heads) ** -0.5).softmax(-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(n, s, d))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=EPS)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=EPS)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, in_chans: int, dim: int):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class ViTSTR(nn.Module):
    """patch 1, fixed 1 x ``steps`` position grid (75: a 300-px window), pre-norm blocks, final LayerNorm;
    cls_token stored, unused."""

    def __init__(self, in_chans=512, dim=192, depth=12, heads=3, mlp_ratio=4.0, num_classes=7644,
                 steps=WINDOW_STEPS):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, steps, dim))
        self.patch_embed = PatchEmbed(in_chans, dim)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.head = nn.Linear(dim, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.blocks(self.patch_embed(x) + self.pos_embed))


class ConvNextViT(nn.Module):
    """ModelScope's network; ``window_width`` px windows (300: ModelScope's; a plate profile reads one 128-px
    window of 32 steps)."""

    def __init__(self, depths=(3, 3, 8, 3), dims=(96, 192, 256, 512), dim=192, depth=12, heads=3,
                 mlp_ratio=4.0, num_classes=7644, window_width=WINDOW):
        super().__init__()
        self.cnn_model = ConvNeXt(depths, dims)
        self.vitstr = ViTSTR(dims[-1], dim, depth, heads, mlp_ratio, num_classes, window_width // 4)

    def window_features(self, windows: torch.Tensor) -> torch.Tensor:
        gray = windows[:, 0:1] * 0.2989 + windows[:, 1:2] * 0.5870 + windows[:, 2:3] * 0.1140
        return self.vitstr.features(self.cnn_model(gray))

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        tokens = self.window_features(windows)
        per_line = tokens.reshape(tokens.shape[0] // 3, 3, WINDOW_STEPS, tokens.shape[-1])
        stitched = torch.cat([per_line[:, w, a:b] for w, (a, b) in enumerate(KEPT_STEPS)], 1)
        return self.vitstr.head(stitched)

    def forward_window(self, windows: torch.Tensor) -> torch.Tensor:
        return self.vitstr.head(self.window_features(windows))


def random_twin(seed: int, **sizes) -> ConvNextViT:
    """A twin in eval mode with random weights that keep activations O(1) and make every part matter (layer
    scales near 1 rather than 1e-6, LayerNorm affine terms away from 1 and 0, a strong position embedding)."""
    torch.manual_seed(seed)
    model = ConvNextViT(**sizes)
    with torch.no_grad():
        for name, tensor in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "gamma":
                tensor.uniform_(0.3, 1.0)
            elif tensor.dim() == 1 and leaf == "weight":  # LayerNorms
                tensor.uniform_(0.5, 1.5)
            elif tensor.dim() == 1:
                tensor.normal_(0.0, 0.1)
            elif leaf in ("pos_embed", "cls_token"):
                tensor.normal_(0.0, 0.5)
            else:
                fan_in = tensor[0].numel()
                tensor.normal_(0.0, (4.0 if name.startswith("vitstr.head") else 1.0) / fan_in ** 0.5)
    return model.eval()


def modelscope_line(rgb: np.ndarray, width: int = LINE) -> np.ndarray:
    """The notes' resize and padding: height 32, width int(32 W / H) capped at ``width``, black on the right;
    uint8 32 x width x 3."""
    height, image_width = rgb.shape[:2]
    new_width = width if image_width / height > width / 32 else int(32 * image_width / height)
    line = np.zeros((32, width, 3), np.uint8)
    line[:, :new_width] = cv2.resize(rgb, (new_width, 32))
    return line


def modelscope_windows(rgb: np.ndarray, width: int = LINE) -> np.ndarray:
    """One RGB line as ModelScope feeds it: 804 wide -> its 3 windows [3, 3, 32, 300]; 300 wide (a plate) -> one
    window [1, 3, 32, 300]; / 255, channels first."""
    line = modelscope_line(rgb, width).astype(np.float32) / 255.0
    lefts = WINDOW_LEFTS if width == LINE else (0,)
    return np.stack([line[:, left:left + WINDOW].transpose(2, 0, 1) for left in lefts])


def logits_of(model: ConvNextViT, rgb_lines: list, width: int = LINE) -> np.ndarray:
    """The twin's logits for RGB line images: (N, 201, C) for 804-px lines, (N, 75, C) for one-window plates."""
    windows = torch.from_numpy(np.concatenate([modelscope_windows(rgb, width) for rgb in rgb_lines]))
    with torch.no_grad():
        return (model(windows) if width == LINE else model.forward_window(windows)).numpy()


BLANK = 0


class LineTwin(nn.Module):
    """The twin taking what the MindSpore network takes: padded RGB lines [N, 3, 32, W] in [0, 1], W = 804
    (three 300-px windows cut here, as ModelScope's preprocessor does) or one window's width (a plate)."""

    def __init__(self, model: ConvNextViT):
        super().__init__()
        self.model = model
        self.window_width = model.vitstr.pos_embed.shape[1] * 4

    def forward(self, lines: torch.Tensor) -> torch.Tensor:
        if lines.shape[-1] == self.window_width:
            return self.model.forward_window(lines)
        windows = torch.stack([lines[..., left:left + WINDOW] for left in WINDOW_LEFTS], 1)
        return self.model(windows.reshape(-1, *windows.shape[2:]))


def build_twin(cfg) -> LineTwin:
    """The twin at the size of a convtransformer_ocr config (classes as the network's head, its window width),
    default initialisation (scripts/benchmark.py --vs-torch)."""
    from .src.charset import num_classes  # imported as convtransformer_ocr.modelscope_twin (tests, benchmark)

    return LineTwin(ConvNextViT(tuple(cfg.depths), tuple(cfg.dims), cfg.embed_dim, cfg.vit_depth, cfg.num_heads,
                                cfg.mlp_ratio, num_classes(cfg), cfg.window_width))
