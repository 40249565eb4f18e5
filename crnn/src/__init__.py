"""CRNN (Shi et al. 2015) for MindSpore, as MMOCR's ``crnn_mini-vgg_5e_mj``: network, preprocessing and data
wiring; the generic machinery is in ``src.model_utils``."""
