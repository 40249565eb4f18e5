"""ModelScope's ``vitstr``: a ViT over the feature columns of one window, [N, C, 1, S] -> [N, S, D].

Patch size 1: a 1x1 convolution (``patch_embed.proj``) turns each of the S columns into a token; a learnt
position embedding (``pos_embed``, a fixed 1 x S grid) is added; pre-norm transformer blocks (``norm1``,
``attn.qkv`` with bias, ``attn.proj``, ``norm2``, ``mlp.fc1``, exact GELU, ``mlp.fc2``); a final ``norm``.
``cls_token`` is kept only so that checkpoints keep ModelScope's tensors: no token is prepended.  ``head``
(Linear to the classes) lives here as in ModelScope, but the network applies it after stitching the
windows.  LayerNorms (eps 1e-6) name their tensors ``gamma``/``beta`` (PyTorch: ``weight``/``bias``).
"""
from __future__ import annotations

import mindspore as ms
from mindspore import nn, ops
from mindspore.common.initializer import TruncatedNormal, initializer

from .gelu import ExactGELU

LAYER_NORM_EPS = 1e-6
INIT_STD = 0.02  # timm's truncated normal for linear layers and embeddings


def _dense(in_features: int, out_features: int) -> nn.Dense:
    return nn.Dense(in_features, out_features, weight_init=TruncatedNormal(INIT_STD), bias_init="zeros")


class Attention(nn.Cell):
    """Multi-head self-attention: ``qkv`` (one Linear for q, k, v), softmax(q k^T / sqrt(d)) v, ``proj``."""

    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = _dense(dim, 3 * dim)
        self.proj = _dense(dim, dim)
        self.scores = ops.BatchMatMul(transpose_b=True)
        self.mix = ops.BatchMatMul()

    def construct(self, x):
        steps, dim = x.shape[1], x.shape[2]
        qkv = ops.transpose(self.qkv(x).reshape((-1, steps, 3, self.num_heads, self.head_dim)), (2, 0, 3, 1, 4))
        q, k, v = qkv[0], qkv[1], qkv[2]  # [N, heads, S, head_dim]
        weights = ops.softmax(self.scores(q, k) * self.scale, axis=-1)
        out = ops.transpose(self.mix(weights, v), (0, 2, 1, 3)).reshape((-1, steps, dim))
        return self.proj(out)


class Mlp(nn.Cell):
    """``fc1`` -> exact GELU -> ``fc2``."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = _dense(dim, hidden)
        self.act = ExactGELU()
        self.fc2 = _dense(hidden, dim)

    def construct(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TransformerBlock(nn.Cell):
    """x + attn(norm1(x)), then + mlp(norm2(x))."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = nn.LayerNorm((dim,), epsilon=LAYER_NORM_EPS)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm((dim,), epsilon=LAYER_NORM_EPS)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def construct(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Cell):
    """``proj``: 1x1 convolution of the [N, C, 1, S] features, returned as tokens [N, S, D]."""

    def __init__(self, in_channels: int, dim: int):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, dim, 1, pad_mode="valid", has_bias=True,
                              weight_init=TruncatedNormal(INIT_STD), bias_init="zeros")

    def construct(self, x):
        return ops.transpose(ops.squeeze(self.proj(x), 2), (0, 2, 1))


class ViTSTR(nn.Cell):
    """Features [N, C, 1, S] -> normalised tokens [N, S, D]; ``head`` maps tokens to classes."""

    def __init__(self, in_channels: int, steps: int, dim: int, depth: int, num_heads: int, mlp_ratio: float,
                 num_classes: int):
        super().__init__()
        self.cls_token = ms.Parameter(initializer(TruncatedNormal(INIT_STD), (1, 1, dim)), name="cls_token")
        self.pos_embed = ms.Parameter(initializer(TruncatedNormal(INIT_STD), (1, steps, dim)), name="pos_embed")
        self.patch_embed = PatchEmbed(in_channels, dim)
        self.blocks = nn.SequentialCell([TransformerBlock(dim, num_heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm((dim,), epsilon=LAYER_NORM_EPS)
        self.head = _dense(dim, num_classes)

    def construct(self, x):
        return self.norm(self.blocks(self.patch_embed(x) + self.pos_embed))
