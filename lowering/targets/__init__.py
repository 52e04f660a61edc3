"""Everything target-specific: each target's stage list, its translation, its kernels.

Target-independent passes never import from here.
"""
