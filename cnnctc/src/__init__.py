"""CNN-CTC (Baek et al. 2019) for MindSpore: the network, its preprocessing and data wiring; the generic
machinery is in ``src.model_utils``."""
