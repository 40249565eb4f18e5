"""model_utils.weight_map (the one "unmapped / missing / wrong shape" report; DynamicRNN -> nn.LSTM gates) and
model_utils.torch_weights (the converters' PyTorch reader: weights_only, one error line for a bad file)."""
from __future__ import annotations

import numpy as np
import pytest

from cnnctc.src.model_utils.errors import CheckpointError
from cnnctc.src.model_utils.torch_weights import read_state_dict, strip_prefixes
from cnnctc.src.model_utils.weight_map import dynamic_rnn_to_lstm, misfit


def test_misfit_lists_every_problem_by_kind_in_one_line():
    wanted = {"a": (2, 3), "b": (4,), "c": (1,)}
    assert misfit({"a": (2, 3), "b": (4,), "c": (1,)}, wanted) == ""
    report = misfit({"a": (3, 3), "b": (4,), "x": (1,), "step": ()}, wanted, ignorable=lambda k: k == "step")
    assert report == "1 unmapped: x; 1 missing from the file: c; 1 with another shape: a: file (3, 3) vs network (2, 3)"
    assert misfit({"a": (2, 3), "b": (4,)}, wanted, optional=lambda n: n == "c") == ""


def test_misfit_names_renamed_keys_and_shortens_long_lists():
    wanted = {"layer.gamma": (4,)}
    report = misfit({"layer.weight": (5,), "dropped": (1,)}, wanted,
                    name_of=lambda k: None if k == "dropped" else k.replace("weight", "gamma"))
    assert report == "1 unmapped: dropped; 1 with another shape: layer.weight -> layer.gamma: file (5,) vs network (4,)"
    many = misfit({f"k{i:02d}": (1,) for i in range(25)}, {})
    assert many.startswith("25 unmapped: k00, k01") and many.endswith(", k09, ... (15 more)")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_dynamic_rnn_to_lstm_computes_the_same_step():
    """One step of DynamicRNN ([x, h] @ w + b, gates i, j, f, o, forget_bias on f) equals nn.LSTM's formula
    (W_ih x + b_ih + W_hh h + b_hh, gates i, f, g, o) with the converted tensors."""
    rng = np.random.default_rng(0)
    size, hidden, forget_bias = 3, 2, 1.0
    w, b = rng.normal(size=(size + hidden, 4 * hidden)), rng.normal(size=4 * hidden)
    x, h, c = rng.normal(size=size), rng.normal(size=hidden), rng.normal(size=hidden)
    i, j, f, o = np.split(np.concatenate([x, h]) @ w + b, 4)
    expected = _sigmoid(f + forget_bias) * c + _sigmoid(i) * np.tanh(j)
    w_ih, w_hh, b_ih, b_hh = dynamic_rnn_to_lstm(w.astype(np.float16), b.astype(np.float16), size, forget_bias)
    assert w_ih.shape == (4 * hidden, size) and w_hh.shape == (4 * hidden, hidden) and w_ih.dtype == np.float32
    assert not b_hh.any()
    gi, gf, gg, _ = np.split(w_ih @ x + b_ih + w_hh @ h + b_hh, 4)
    np.testing.assert_allclose(_sigmoid(gf) * c + _sigmoid(gi) * np.tanh(gg), expected, atol=5e-3)  # float16 file


def test_strip_prefixes_any_order_and_number():
    assert strip_prefixes("module.recognizer.module.cnn.w", ("recognizer.", "module.")) == "cnn.w"
    assert strip_prefixes("backbone.module.w", ("module.",)) == "backbone.module.w"


def test_torch_reader_refuses_a_file_that_is_not_a_checkpoint_in_one_line(tmp_path):
    pytest.importorskip("torch")
    notes = tmp_path / "notes.pth"
    notes.write_text("not a checkpoint\n", encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"cannot read .*notes.pth as a PyTorch checkpoint") as err:
        read_state_dict(str(notes))
    assert "\n" not in str(err.value)
    with pytest.raises(CheckpointError, match="does not exist"):
        read_state_dict(str(tmp_path / "absent.pth"))


def test_torch_reader_takes_a_wrapped_state_dict_without_running_code(tmp_path):
    torch = pytest.importorskip("torch")
    path = str(tmp_path / "w.pth")
    torch.save({"meta": {"epoch": 5}, "state_dict": {"module.fc.weight": torch.ones(2, 3, dtype=torch.float16)}}, path)
    state = read_state_dict(path)
    assert list(state) == ["fc.weight"] and state["fc.weight"].dtype == np.float32
    torch.save({"state_dict": {"a": torch.ones(1), "b": 3}}, path)
    with pytest.raises(CheckpointError, match="not tensors: b"):
        read_state_dict(path)

    class Payload:  # a pickled object: weights_only refuses to run its code
        def __reduce__(self):
            return (print, ("ran",))

    torch.save({"state_dict": {"a": Payload()}}, path)
    with pytest.raises(CheckpointError, match="cannot read .* as a PyTorch checkpoint"):
        read_state_dict(path)
