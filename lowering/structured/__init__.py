"""Passes that read L2 (`linalg.generic` on tensors): bufferization (fusion comes here)."""
