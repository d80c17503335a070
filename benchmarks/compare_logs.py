"""Pair two benchmark logs seed by seed: what changed, and by how much.

A recipe is compared with another by running both on the same seeds (one
torch thread: the same seed gives the same fit) and pairing the rows.  This
reads two logs of ``bench_learning.py`` or ``bench_regression.py``, matches
their rows by what comes before ``seed=`` (the data set, the training size)
and the seed, and prints, for every number both rows hold (accuracies,
epochs, ...), the mean of ``B - A`` over the seeds, its standard error, and
on how many seeds B was above and below A:

    python benchmarks/compare_logs.py \\
        benchmarks/results/learning_report_seeds2000_small.log \\
        benchmarks/results/learning_burn_in_seeds2000_small.log

Times (``*_s``) are left out: they depend on the machine's load, not only on
the recipe.
"""

import argparse
import math
import re
import statistics
from collections import defaultdict

_SEED = re.compile(r"seed=\s*(\d+)")
_NUMBER = re.compile(r"([A-Za-z_][\w]*)=\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?=\s|$)")


def read_rows(path):
    """Return ``{(group, seed): {name: value}}`` of the rows of one log."""
    rows = {}
    with open(path, encoding="utf-8") as log:
        for line in log:
            match = _SEED.search(line)
            if match is None:
                continue
            group = line[: match.start()].strip()
            values = {
                name: float(value)
                for name, value in _NUMBER.findall(line[match.end() :])
                if not name.endswith("_s")
            }
            if values:
                rows[group, int(match.group(1))] = values
    return rows


def compare(a, b):
    """Return one line per (group, number) for two logs' rows, paired by seed."""
    pairs = defaultdict(list)
    for key in sorted(a.keys() & b.keys()):
        group = key[0]
        for name in a[key].keys() & b[key].keys():
            pairs[group, name].append((a[key][name], b[key][name]))
    lines = []
    for (group, name), values in sorted(pairs.items()):
        diffs = [after - before for before, after in values]
        mean = statistics.fmean(diffs)
        se = statistics.stdev(diffs) / math.sqrt(len(diffs)) if len(diffs) > 1 else 0
        label = f"{group} {name}".strip()
        lines.append(
            f"{label}: A {statistics.fmean(v[0] for v in values):.4f}, "
            f"B {statistics.fmean(v[1] for v in values):.4f}, B - A {mean:+.4f} "
            f"(s.e. {se:.4f}; B above on {sum(d > 0 for d in diffs)}, below on "
            f"{sum(d < 0 for d in diffs)} of {len(diffs)} seeds)"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the first log (A)")
    parser.add_argument("b", help="the second log (B)")
    args = parser.parse_args()
    lines = compare(read_rows(args.a), read_rows(args.b))
    if not lines:
        parser.error("the two logs have no seed in common")
    print(f"A: {args.a}\nB: {args.b}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
