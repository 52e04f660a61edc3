"""litho's benchmark suite (`litho bench`): litho against torch eager, `torch.compile`,
numpy's BLAS and ONNX Runtime, timed side by side in one process."""
