"""
===========================================
Recorded series: the LSTM-FCN and its peers
===========================================

:class:`~sklearn_echo.LSTMFCNClassifier` is the estimator for recorded series
(sensor recordings, motion, audio features): a convolution branch and a small
LSTM read each sequence side by side.  This example shows

1. the report of ``benchmarks/bench_recorded.py --suite classify`` (ten seeds
   never used to choose the recipe): its test accuracy on six UCR/UEA data
   sets beside 1-NN, ``MLPClassifier`` and MiniROCKET, measured in the same
   run;
2. one fit on ArrowHead (36 training series of three classes), with its
   errors per class.

The data sets ship with aeon (the ``docs`` and ``benchmarks`` extras) and
load offline.  torch runs on one thread; the script takes about 20 seconds.
"""

# %%
# The report
# ----------
# The benchmark writes one summary line per data set; the plot reads the
# stored log.
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from aeon.datasets import load_classification
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.pipeline import make_pipeline

from sklearn_echo import ChannelsLastTransformer, LSTMFCNClassifier

torch.set_num_threads(1)  # one thread: steady timings on a shared machine

results = Path("../benchmarks/results")
if not results.exists():  # run from the repository's root
    results = Path("benchmarks/results")
logs = [results / "recorded_classify_seeds20000.log"]
pattern = {
    "LSTMFCNClassifier": r"LSTMFCNClassifier mean ([\d.]+)",
    "MiniROCKET": r"MiniROCKET mean ([\d.]+)",
    "MLPClassifier": r"MLPClassifier mean ([\d.]+)",
    "1-NN": r"1-NN ([\d.]+)",
    "LSTMClassifier": r"LSTMClassifier mean ([\d.]+)",
}
table = {}
for line in "\n".join(log.read_text() for log in logs).splitlines():
    if " | " in line:
        name = line.split(" (")[0]
        table[name] = {
            method: float(re.search(regex, line).group(1))
            for method, regex in pattern.items()
            if re.search(regex, line)
        }
for name, row in table.items():
    print(f"{name:22s}", "  ".join(f"{m} {v:.3f}" for m, v in row.items()))

fig, ax = plt.subplots(figsize=(9, 4))
width = 0.8 / len(pattern)
for i, method in enumerate(pattern):
    values = [table[name].get(method, np.nan) for name in table]
    ax.bar(np.arange(len(table)) + i * width, values, width, label=method)
ax.set_xticks(np.arange(len(table)) + 0.4 - width / 2)
ax.set_xticklabels(list(table), rotation=20)
ax.set_ylim(0.4, 1.02)
ax.set_ylabel("test accuracy (mean of 10 seeds)")
ax.legend(loc="lower left", fontsize=8)
ax.set_title("Recorded series: the same splits, the same run")
fig.tight_layout()

# %%
# One fit, and its errors per class
# ---------------------------------
# aeon loads a collection channels first; :class:`~sklearn_echo.
# ChannelsLastTransformer` turns it into steps at the head of the Pipeline.
# ArrowHead's three classes are the outlines of three kinds of arrowheads.
X, y = load_classification("ArrowHead", split="train")
X_test, y_test = load_classification("ArrowHead", split="test")
model = make_pipeline(ChannelsLastTransformer(), LSTMFCNClassifier(random_state=0))
model.fit(X, y)
print(f"ArrowHead test accuracy: {model.score(X_test, y_test):.3f}")
ConfusionMatrixDisplay.from_estimator(model, X_test, y_test, normalize="true")
plt.title("ArrowHead: share of each true class predicted as each class")
plt.show()
