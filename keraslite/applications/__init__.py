"""`keras.applications`: reference image-classification architectures, with optional ImageNet weights."""
