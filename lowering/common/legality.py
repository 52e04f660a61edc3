"""The legality check that ends every conversion: no op of the source dialect remains."""

from collections import Counter

from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import PassFailedException


def check_no_ops_of_dialect(module: ModuleOp, dialect_name: str, pass_name: str) -> None:
    """Raise PassFailedException listing every op of `dialect_name` left in `module`."""
    prefix = dialect_name + "."
    left = Counter(op.name for op in module.walk() if op.name.startswith(prefix))
    if left:
        listed = ", ".join(f"{name} (x{count})" for name, count in sorted(left.items()))
        raise PassFailedException(f"{pass_name}: ops left that it cannot convert: {listed}")
