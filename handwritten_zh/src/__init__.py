"""Handwritten simplified Chinese text lines (OpenVINO handwritten-simplified-chinese-recognition-0001 design) for
MindSpore: the network, its preprocessing, data wiring, decoding and synthesizer; the generic machinery is in
``src.model_utils``."""
