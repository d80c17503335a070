"""Helpers shared by the benchmark scripts (run as ``python benchmarks/NAME.py``).

The scripts import this module by its file name: Python puts the script's own
folder, ``benchmarks/``, first on ``sys.path``.
"""

import ast
import statistics


def summarise(name, values, threshold=None, digits=4):
    """Print the median, mean, min and max of ``values`` (and a count >= threshold)."""
    line = (
        f"{name}: median {statistics.median(values):.{digits}f} "
        f"mean {statistics.fmean(values):.{digits}f} min {min(values):.{digits}f} "
        f"max {max(values):.{digits}f}"
    )
    if threshold is not None:
        line += f", {sum(v >= threshold for v in values)}/{len(values)} >= {threshold}"
    print(line, flush=True)


def parse_range(text):
    """``'FIRST:STOP'`` or ``'N'`` as a range of seeds."""
    first, _, last = text.partition(":")
    return range(int(first), int(last)) if last else range(int(first))


def parse_set(items):
    """``['name=value', ...]`` from ``--set`` as parameters (values as literals)."""
    params = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            params[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[name] = value
    return params
