"""Passes that read L1 (`litho_tensor`): canonicalization, and the conversion to L2."""
