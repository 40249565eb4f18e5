"""ModelScope's ConvNextViT line recognizer: RGB [B, 3, 32, line_width] in [0, 1] -> logits [B, T, classes].

The network turns the line gray itself (0.2989 R + 0.5870 G + 0.1140 B, ModelScope's weights), cuts it into
windows of ``window_width`` px, one every ``window_width - window_overlap`` px (ModelScope: 300 px at
x = 0, 252, 504 of an 804-px line), runs each window through the ConvNeXt (``cnn_model``) and the ViT
(``vitstr``) to ``window_width / 4`` steps, stitches the windows' steps and applies ``vitstr.head``.  At each
inner boundary half of the overlap is dropped from either window (48 px = 12 steps: 6 each), so ModelScope's
line keeps steps [0:69] of window 0, [6:69] of window 1 and [6:75] of window 2: 69 + 63 + 69 = 201 steps.
A line of one window's width (plates, ``line_width == window_width``) is one window of 75 steps.

Parameter names are ModelScope's state_dict keys (``cnn_model.*``, ``vitstr.*``); only LayerNorm tensors
differ (``gamma``/``beta`` for ``weight``/``bias``), see ``convert_modelscope.py``.
"""
from __future__ import annotations

from types import SimpleNamespace

from mindspore import nn, ops

from .charset import num_classes
from .convnext import LAYER_SCALE_INIT, ConvNeXt
from .model_utils.errors import ConfigError
from .vit import ViTSTR

INPUT_HEIGHT = 32  # the stem's 4 and three height-halving layers bring it to 1 row
PIXELS_PER_STEP = 4
STAGES = 4
GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)  # R, G, B


def window_plan(line_width: int, window_width: int, overlap: int) -> tuple[tuple[int, int, int], ...]:
    """(x of the window, first kept step, end of the kept steps) per window; a ``ConfigError`` when the windows
    cannot tile the line exactly."""
    stride = window_width - overlap
    if (window_width % PIXELS_PER_STEP or overlap % (2 * PIXELS_PER_STEP) or not 0 <= overlap < window_width
            or line_width < window_width or (line_width - window_width) % stride):
        raise ConfigError(
            f"windows of --window_width {window_width} px overlapping by --window_overlap {overlap} px cannot tile "
            f"--line_width {line_width}: the window width must be a multiple of {PIXELS_PER_STEP}, the overlap a "
            f"multiple of {2 * PIXELS_PER_STEP} below it, and the line one window plus whole strides of "
            f"{stride} px (ModelScope: 804 = 300 + 2 x 252)")
    count = (line_width - window_width) // stride + 1
    steps, trim = window_width // PIXELS_PER_STEP, overlap // (2 * PIXELS_PER_STEP)
    return tuple((i * stride, trim if i else 0, steps - trim if i < count - 1 else steps) for i in range(count))


def output_steps(line_width: int, window_width: int, overlap: int) -> int:
    """Logit steps per line (201 for ModelScope's 804-px line, 75 for one 300-px window)."""
    return sum(end - first for _, first, end in window_plan(line_width, window_width, overlap))


class ConvNextViT(nn.Cell):
    """RGB lines [B, 3, 32, line_width] -> logits [B, steps, num_classes] (raw, before softmax)."""

    def __init__(self, num_classes: int, line_width: int = 804, window_width: int = 300, window_overlap: int = 48,
                 depths: tuple = (3, 3, 8, 3), dims: tuple = (96, 192, 256, 512), embed_dim: int = 192,
                 vit_depth: int = 12, num_heads: int = 3, mlp_ratio: float = 4.0,
                 layer_scale_init: float = LAYER_SCALE_INIT):
        super().__init__()
        self.plan = window_plan(line_width, window_width, window_overlap)
        self.window_width = window_width
        self.steps = window_width // PIXELS_PER_STEP
        self.embed_dim = embed_dim
        self.cnn_model = ConvNeXt(depths, dims, layer_scale_init=layer_scale_init)
        self.vitstr = ViTSTR(dims[-1], self.steps, embed_dim, vit_depth, num_heads, mlp_ratio, num_classes)

    def construct(self, x):
        gray = x[:, 0:1] * GRAY_WEIGHTS[0] + x[:, 1:2] * GRAY_WEIGHTS[1] + x[:, 2:3] * GRAY_WEIGHTS[2]
        if len(self.plan) == 1:
            return self.vitstr.head(self.vitstr(self.cnn_model(gray)))
        windows = []
        for left, _, _ in self.plan:
            windows.append(gray[:, :, :, left:left + self.window_width])
        tokens = self.vitstr(self.cnn_model(ops.concat(windows, 0)))  # window-major: [windows * B, steps, D]
        tokens = tokens.reshape((len(self.plan), -1, self.steps, self.embed_dim))
        kept = []
        for i, (_, first, end) in enumerate(self.plan):
            kept.append(tokens[i, :, first:end])
        return self.vitstr.head(ops.concat(kept, 1))


def _ints(cfg: SimpleNamespace, key: str) -> tuple:
    try:
        values = tuple(int(v) for v in getattr(cfg, key))
    except (TypeError, ValueError) as err:
        raise ConfigError(f"--{key} takes {STAGES} whole numbers, got {getattr(cfg, key)!r}") from err
    if len(values) != STAGES or min(values) <= 0:
        raise ConfigError(f"--{key} takes {STAGES} positive whole numbers (one per ConvNeXt stage), "
                          f"got {getattr(cfg, key)!r}")
    return values


def build_network(cfg: SimpleNamespace) -> ConvNextViT:
    """The network of a config (default_config.yaml: ModelScope's, 19,177,980 parameters)."""
    if cfg.embed_dim <= 0 or cfg.num_heads <= 0 or cfg.embed_dim % cfg.num_heads:
        raise ConfigError(f"--embed_dim {cfg.embed_dim} must be a positive multiple of --num_heads {cfg.num_heads}")
    if cfg.vit_depth <= 0 or cfg.mlp_ratio <= 0:
        raise ConfigError(f"--vit_depth {cfg.vit_depth} and --mlp_ratio {cfg.mlp_ratio} must be positive")
    return ConvNextViT(num_classes(cfg), cfg.line_width, cfg.window_width, cfg.window_overlap,
                       _ints(cfg, "depths"), _ints(cfg, "dims"), cfg.embed_dim, cfg.vit_depth, cfg.num_heads,
                       cfg.mlp_ratio, cfg.layer_scale_init)


def input_shape(cfg: SimpleNamespace) -> tuple:
    """The network's input without the batch axis: RGB [3, 32, line_width]."""
    return 3, INPUT_HEIGHT, cfg.line_width
