"""Passes that read L3 (buffers and loops): the memory plan (tiling comes here)."""
