"""Prediction: a fitted module's outputs for validated input, block by block.

One entry point, :func:`predict_blocks`, serves ``predict``,
``predict_proba`` and ``score`` of every estimator.  It cuts the input into
blocks of a bounded size, runs each through
:meth:`~sklearn_echo._module.LSTMModule.float64_predictor` and yields the
outputs, so that a caller reduces one block at a time and memory stays
bounded whatever the number of sequences.

Every block is computed in float64 from float64 copies of the weights.  In
float32, CPU kernels round a row's sums differently with its position in the
batch and the batch's size (the AVX2 kernels of an AMD EPYC did), so
a row's prediction would depend on the rows it is predicted with; in float64
those differences are about 1e-16, so a sequence gets the same prediction
alone, in any block and at any position, to within 1e-12 (CI checks it
with the kernels held to AVX2 and to SSE4.1; the
user guide's "Prediction" says what it costs and how it is tested).
"""

import numpy as np
import torch

from sklearn_echo._module import float64_device
from sklearn_echo._ragged import RaggedSequences

# Blocks hold at most _BLOCK_ROWS sequences and about _BLOCK_BYTES of float64
# input to the LSTM: larger blocks were no faster on one thread and cost
# memory (``benchmarks/bench_serving.py``'s bulk rows).
_BLOCK_ROWS = 1024
_BLOCK_BYTES = 8 * 2**20


def predict_blocks(module, X):
    """Yield ``(rows, outputs)`` for every block of validated ``X``.

    Parameters
    ----------
    module : LSTMModule or LSTMFCNModule
        The fitted module; it is not changed, so threads may share it.
    X : ndarray of shape (n_samples, length, input_size) or (n_samples, length), \
            or RaggedSequences
        Validated float32 steps, or integer tokens for a token module.

    Yields
    ------
    rows : slice or ndarray of int
        The rows of ``X`` that the block covers.
    outputs : torch.Tensor of shape (len(rows), n_outputs)
        The module's outputs for those rows, float64, on the CPU.
    """
    device = float64_device(module.head.weight.device)
    # The widest per-step activation (the LSTM-FCN's convolutions are wider
    # than their input) sizes the blocks.
    width = getattr(module, "step_width", module.lstm.input_size)
    # The float64 weights and the start state, once for every block.
    predict = module.float64_predictor()
    if isinstance(X, RaggedSequences):
        for rows in _ragged_block_rows(X.lengths, width):
            block, lengths = X.padded(rows)
            lengths = (
                None
                if lengths[0] == lengths[-1]
                else torch.from_numpy(lengths).to(device)
            )
            outputs = predict(_tensor(block, device), lengths)
            yield rows, outputs.cpu()
        return
    max_rows = _block_rows(X.shape[1], width)
    for start in range(0, len(X), max_rows):
        rows = slice(start, min(len(X), start + max_rows))
        outputs = predict(_tensor(X[rows], device))
        yield rows, outputs.cpu()


def _block_rows(length, width):
    """Return the number of sequences of ``length`` steps in one block."""
    row_bytes = 8 * length * width
    return int(max(1, min(_BLOCK_ROWS, _BLOCK_BYTES // row_bytes)))


def _ragged_block_rows(lengths, width):
    """Yield the rows of each block: sequences sorted by length, cut in blocks.

    Sorting by length keeps the padding in each block short; the padding
    never reaches a result (see ``LSTMModule.forward``).
    """
    order = np.argsort(lengths, kind="stable")
    start = 0
    while start < len(order):
        stop = min(len(order), start + _BLOCK_ROWS)
        # Sorted: the block's longest sequence is its last.
        stop = min(stop, start + _block_rows(int(lengths[order[stop - 1]]), width))
        yield order[start:stop]
        start = stop


def _tensor(block, device):
    """Return ``block`` as a tensor on ``device``, never sharing read-only memory."""
    if not (block.flags.writeable and block.flags.c_contiguous):
        block = np.array(block, order="C")
    return torch.from_numpy(block).to(device)
