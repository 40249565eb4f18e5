"""The model zoo's ctcmodel: a two-layer bidirectional LSTM over MFCC frames, then a linear layer per frame.

Parameter names and shapes equal the official ``CTCModel`` (``lstm.weight_ih_l0`` ... ``embedding.bias``,
584,254 parameters for 39 inputs, hidden 128 and 62 classes), so official checkpoints load unchanged.
Features [B, T, 39] and valid frame counts [B] -> logits [B, T, 62] (61 TIMIT phones, blank 61).

Two padding modes (``pad_mode``):
- ``full`` (official): every utterance is zero-padded to ``max_frames`` (1555) and the LSTM runs over the
  padding too, so the backward direction starts in the padding; the logits of padded frames are zeroed
  (the official ``masks``).  Static shapes for Ascend graph mode; what official checkpoints were trained on.
- ``bucket``: utterances of similar length are batched and padded to the batch's bucket width, and the
  backward direction reads each utterance reversed within its own length, so it starts at the utterance's
  last frame and an utterance's logits do not depend on the padding.  Several times less work on a CPU.
"""
from __future__ import annotations

from types import SimpleNamespace

import mindspore as ms
from mindspore import nn, ops

from .legacy import convert_params
from .phones import NUM_CLASSES


class LengthAwareLSTM(nn.LSTM):
    """``nn.LSTM`` (bidirectional, its parameters and names) whose backward direction reverses each sequence
    within its length (``use_lengths``) or the whole padded axis (as ``nn.LSTM`` without ``seq_length``).

    Both directions run the fused LSTM kernel over the padded batch: padding trails both, so it never
    reaches a valid frame.  (``nn.LSTM(seq_length=...)`` unrolls a Python loop per frame in graph mode.)
    Input and output are batch-major [B, T, C].
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int, use_lengths: bool):
        super().__init__(input_size, hidden_size, num_layers=num_layers, batch_first=True, bidirectional=True)
        self.use_lengths = use_lengths

    def _reverse(self, x, lengths):
        return self.reverse_sequence(x, lengths) if self.use_lengths else self.reverse(x)

    def construct(self, x, lengths):
        x = ops.transpose(x, (1, 0, 2))  # time-major for the kernel
        zeros = ops.zeros((x.shape[1], self.hidden_size), x.dtype)
        state = (zeros, zeros)
        for layer in range(self.num_layers):
            forward, backward = 2 * layer, 2 * layer + 1
            out_f, _ = self.rnn(x, state, None, self.w_ih_list[forward], self.w_hh_list[forward],
                                self.b_ih_list[forward], self.b_hh_list[forward])
            out_b, _ = self.rnn(self._reverse(x, lengths), state, None, self.w_ih_list[backward],
                                self.w_hh_list[backward], self.b_ih_list[backward], self.b_hh_list[backward])
            x = ops.concat((out_f, self._reverse(out_b, lengths)), 2)
        return ops.transpose(x, (1, 0, 2))


class CTCModel(nn.Cell):
    """features [B, T, input_size] float32, lengths [B] int32 -> logits [B, T, num_class] float32, zero on
    padded frames."""

    def __init__(self, input_size: int = 39, hidden_size: int = 128, num_class: int = 62, num_layers: int = 2,
                 use_lengths: bool = True):
        super().__init__()
        self.lstm = LengthAwareLSTM(input_size, hidden_size, num_layers, use_lengths)
        self.embedding = nn.Dense(2 * hidden_size, num_class)

    def convert_checkpoint(self, params: dict) -> dict:
        """The checkpoint loaders' hook (``model_utils.checkpoint.load_into``, the hub): a MindSpore <= 1.5
        Ascend checkpoint (the official Hub card's) converted to this network's names and layout
        (``src/legacy.py``); any other checkpoint unchanged."""
        return convert_params(params, self.lstm.hidden_size, self.lstm.num_layers, self.lstm.w_ih_list[0].shape[1])

    def construct(self, features, lengths):
        hidden = self.lstm(features, lengths)
        batch, steps, width = hidden.shape
        logits = self.embedding(hidden.reshape(batch * steps, width)).reshape(batch, steps, -1)
        valid = ops.arange(steps, dtype=ms.int32).reshape(1, steps, 1) < lengths.astype(ms.int32).reshape(batch, 1, 1)
        return logits * valid.astype(ms.float32)


def build_network(cfg: SimpleNamespace) -> CTCModel:
    """The network ``cfg`` describes (``feature_dim``, ``hidden_size``, ``num_layers``, ``pad_mode``), with the
    61 TIMIT phones and the blank as classes."""
    return CTCModel(cfg.feature_dim, cfg.hidden_size, NUM_CLASSES, cfg.num_layers,
                    use_lengths=cfg.pad_mode == "bucket")
