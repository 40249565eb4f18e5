"""ctcmodel (Graves et al. 2006) for MindSpore, as the model zoo's ``research/audio/ctcmodel``: TIMIT phone
recognition with a two-layer BiLSTM + CTC; the generic machinery is in ``src.model_utils``."""
