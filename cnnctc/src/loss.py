"""CTC loss of CNN-CTC: per-sample CTC over [T, B, C] log-probabilities, mean over the batch.

Same objective as the zoo's ``P.CTCLoss(ctc_merge_repeated=True)`` + ``ReduceMean``
(blank = last class), but with dense padded targets and their lengths
(``CTCLossV2``), so batch shapes are static whatever the label lengths and the
graph compiles once.
"""
from __future__ import annotations

import mindspore as ms
from mindspore import nn, ops


class CTCLoss(nn.Cell):
    """logits [B, T, C], labels int32 [B, L] (blank-padded), lengths int32 [B] -> scalar loss."""

    def __init__(self, num_class: int, num_steps: int):
        super().__init__()
        self.ctc = ops.CTCLossV2(blank=num_class - 1, reduction="none", zero_infinity=True)
        self.num_steps = num_steps

    def construct(self, logits, labels, lengths):
        log_probs = ops.log_softmax(ops.transpose(logits.astype(ms.float32), (1, 0, 2)), -1)
        batch = labels.shape[0]
        input_lengths = ops.fill(ms.int32, (batch,), self.num_steps)
        loss, _ = self.ctc(log_probs, labels, input_lengths, lengths)
        return loss.mean()


class NetWithLoss(nn.Cell):
    """Network followed by the loss; no name prefix, so checkpoints keep the network's names."""

    def __init__(self, network: nn.Cell, loss: nn.Cell):
        super().__init__(auto_prefix=False)
        self.network = network
        self.loss = loss

    def construct(self, image, labels, lengths):
        return self.loss(self.network(image), labels, lengths)
