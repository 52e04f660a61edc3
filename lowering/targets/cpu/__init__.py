"""The CPU target: L3 translated to LLVM IR for the host, run through llvmlite."""
