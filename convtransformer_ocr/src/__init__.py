"""ConvNextViT (ModelScope's cv_convnextTiny_ocr-recognition-licenseplate_damo) for MindSpore: network, plate
data (CCPD, gt.txt, the plate synthesizer), preprocessing and metrics; the generic machinery is in
``src.model_utils``."""
