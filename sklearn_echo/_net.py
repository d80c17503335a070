"""The skorch nets behind the LSTM estimators, with a leaner per-batch path.

skorch's training loop is general: it accepts any data, any module, dict
inputs, validation batches between training batches, and calls every callback
at every batch.  The estimators always give it two tensors from
:class:`_BatchIterator`, one loss and no validation batches in between, so a
few general steps can be skipped without changing what is computed.  The
steps live in one mixin, :class:`_LeanBatchLoop`, shared by the classifier's net
(:class:`_ClassifierNet`, a ``NeuralNetClassifier``) and the regressor's
(:class:`_RegressorNet`, a ``NeuralNetRegressor``).  They matter where a
step is shortest and the bookkeeping shows most (``benchmarks/
bench_throughput.py`` compares a fit with a hand-written PyTorch loop).

What stays skorch's: the net is still the model's home (module, optimizer,
criterion, history, callbacks, pickling), ``train_step`` still runs the
optimizer through skorch's closure (LBFGS-like optimizers keep working), and
every callback still sees every event it implements.
"""

import math
import warnings

import numpy as np
import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.exceptions import DeviceWarning

from sklearn_echo._module import weighted_loss
from sklearn_echo._ragged import RaggedSequences, length_sorted_batches

# Events fired at every batch; the others fire once per epoch or per fit.
_BATCH_EVENTS = ("on_batch_begin", "on_batch_end", "on_grad_computed")


class _BatchIterator:
    """Mini-batches of a skorch ``Dataset`` gathered with one ``take`` each.

    skorch's default ``DataLoader`` indexes and collates sample by sample: 12%
    of the training time at length 5 and 7% at length 50 (measured on one
    thread, book and tutorial configs).  This iterator takes
    the same ``(dataset, batch_size, shuffle)`` arguments, draws the order from
    torch's global generator (seeded by the estimator), and gathers rows
    from the numpy arrays, so read-only and memory-mapped inputs work and only
    one batch is copied at a time.
    """

    def __init__(
        self,
        dataset,
        batch_size,
        shuffle=False,
        rows=None,
        weights=None,
        length_sorted=True,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rows = rows
        # Sequences of different lengths: whether a shuffled batch holds
        # sequences of similar lengths (length_sorted_batches' pools) or is a
        # random draw (the fit plan's length_sorted).
        self.length_sorted = length_sorted
        # Each row's weight (the fit plan's), or None: batches then carry
        # their rows' weights (_WeightedBatch).
        self.weights = weights

    def _n_samples(self):
        return len(self.dataset) if self.rows is None else len(self.rows)

    def __len__(self):
        return math.ceil(self._n_samples() / self.batch_size)

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        n_samples = self._n_samples()
        if self.shuffle:
            order = torch.randperm(n_samples).numpy()
        else:
            order = np.arange(n_samples)
        if self.rows is not None:
            # The early-stopping split: the rows of the dataset to read.
            order = self.rows[order]
        if isinstance(X, RaggedSequences):
            yield from self._ragged_batches(X, y, order)
            return
        for start in range(0, n_samples, self.batch_size):
            rows = order[start : start + self.batch_size]
            # take is a little faster than fancy indexing for the same copy.
            yield self._batch(
                torch.from_numpy(X.take(rows, axis=0)),
                torch.from_numpy(y.take(rows, axis=0)),
                rows,
            )

    def _batch(self, X, y, rows):
        if self.weights is None:
            return X, y
        return _WeightedBatch(X, y, torch.from_numpy(self.weights.take(rows)))

    def _ragged_batches(self, X, y, order):
        """Batches of sequences of similar lengths, each padded to its longest.

        Each batch is ``((steps, lengths), y)``, with ``lengths`` None where
        the batch's sequences all have the same length.
        """
        batches = length_sorted_batches(
            order,
            X.lengths,
            self.batch_size,
            pooled=self.shuffle,
            pool_batches=None if self.length_sorted else 1,
        )
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches)).tolist()]
        for rows in batches:
            block, lengths = X.padded(rows)
            if lengths.min() == lengths.max():
                lengths = None
            else:
                lengths = torch.from_numpy(lengths)
            y_batch = torch.from_numpy(y.take(rows, axis=0))
            yield self._batch((torch.from_numpy(block), lengths), y_batch, rows)


class _WeightedBatch(tuple):
    """A batch ``(X, y)`` that carries its rows' weights as ``weights``.

    Still the pair that skorch and every callback unpack; the net's loss and
    the score callbacks read the weights where there are some.
    """

    def __new__(cls, X, y, weights):
        batch = super().__new__(cls, (X, y))
        batch.weights = weights
        return batch


def _implements(callback, event):
    """Whether ``callback`` does something on ``event`` (skorch's are no-ops)."""
    if not isinstance(callback, Callback):
        return True
    return getattr(type(callback), event, None) is not getattr(Callback, event)


class _LeanBatchLoop:
    """The per-batch path of a skorch net fed batches of ``(X, y)`` tensors.

    Mixed in left of a skorch net class (``NeuralNetClassifier``,
    ``NeuralNetRegressor``); the loss is whatever ``criterion`` the net has.

    Per batch, skorch calls every callback's method for three events, even
    the no-op ones (6 of the 8 default callbacks here do nothing per batch), sets
    train mode on every module again (it may have run a validation batch in
    between), converts the batch to tensors it already is, and looks up the
    history's current row and the batch's length through generic helpers.
    This class calls only the callbacks that implement an event (the lists
    are made when training begins), sets train mode only when something
    switched it off, moves the tensors only when they are on another device,
    and writes the history's rows directly.
    """

    def notify(self, method_name, **cb_kwargs):
        if method_name == "on_train_begin":
            self._device = torch.device(self.device)
            self._batch_listeners = {
                event: [cb for _, cb in self.callbacks_ if _implements(cb, event)]
                for event in _BATCH_EVENTS
            }
        listeners = getattr(self, "_batch_listeners", {}).get(method_name)
        if listeners is None:
            return super().notify(method_name, **cb_kwargs)
        getattr(self, method_name)(self, **cb_kwargs)
        for callback in listeners:
            getattr(callback, method_name)(self, **cb_kwargs)
        return None

    def on_train_end(self, net, **kwargs):
        # Not kept in the fitted model (and out of its pickle).
        self.__dict__.pop("_batch_listeners", None)
        self.__dict__.pop("_device", None)
        # The fitted module waits in eval mode, so that predicting never has to
        # switch it (threads predicting at once would race on the switch); each
        # training step switches train mode back on (train_step_single).
        self._set_training(False)
        return super().on_train_end(net, **kwargs)

    def train_step_single(self, batch, **fit_params):
        if not self.module_.training:
            # A callback may have predicted between batches.
            self._set_training(True)
        X, y = batch
        device = self.__dict__.get("_device") or torch.device(self.device)
        if y.device != device:
            X, y = _to_device(X, device), y.to(device)
        # Variable-length batches are (steps, lengths) pairs (_BatchIterator).
        y_pred = (
            self.module_(*X, **fit_params)
            if isinstance(X, tuple)
            else self.module_(X, **fit_params)
        )
        loss = self._loss(y_pred, y, batch, device)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def _loss(self, y_pred, y, batch, device):
        """Return the batch's loss: the criterion's, weighted if ``batch`` is."""
        weights = getattr(batch, "weights", None)
        if weights is None:
            return self.criterion_(y_pred, y)
        return weighted_loss(self.criterion_, y_pred, y, weights.to(device))

    def validation_step(self, batch, **fit_params):
        if getattr(batch, "weights", None) is None:
            return super().validation_step(batch, **fit_params)
        # skorch's validation step, with the weighted loss.
        self._set_training(False)
        X, y = batch
        device = torch.device(self.device)
        with torch.no_grad():
            y_pred = self.infer(X, **fit_params)
            loss = self._loss(y_pred, y.to(device), batch, device)
        return {"loss": loss, "y_pred": y_pred}

    def __setstate__(self, state):
        # skorch maps a CUDA model to the CPU where CUDA is missing; an MPS
        # model too (skorch would try the missing MPS and fail).
        device = state.get("device")
        if (
            device is not None
            and torch.device(device).type == "mps"
            and not torch.backends.mps.is_available()
        ):
            warnings.warn(
                "Requested to load data to MPS but MPS is not available. "
                'Loading on device "cpu" instead.',
                DeviceWarning,
                stacklevel=2,
            )
            state = {**state, "device": "cpu"}
        super().__setstate__(state)

    def infer(self, x, **fit_params):
        # skorch's infer, for the (steps, lengths) batches of variable length.
        if isinstance(x, tuple):
            device = torch.device(self.device)
            return self.module_(*_to_device(x, device), **fit_params)
        return super().infer(x, **fit_params)

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's loop, with the batch length taken directly and the epoch's
        # list of batch rows (dicts, as skorch's ``record_batch`` writes them)
        # looked up once.
        if iterator is None:
            return
        batch_count = 0
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        batches = self.history[-1]["batches"]
        for batch in iterator:
            # skorch's on_batch_begin appends this batch's row.
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            row = batches[-1]
            row[loss_key] = step["loss"].item()
            row[size_key] = len(batch[1])
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        self.history.record(prefix + "_batch_count", batch_count)


def _to_device(X, device):
    """Move a batch's inputs (a tensor or a (steps, lengths) pair) to ``device``."""
    if isinstance(X, tuple):
        return tuple(None if part is None else part.to(device) for part in X)
    return X.to(device)


class _ClassifierNet(_LeanBatchLoop, NeuralNetClassifier):
    """``NeuralNetClassifier`` with the lean per-batch path of ``_LeanBatchLoop``."""


class _RegressorNet(_LeanBatchLoop, NeuralNetRegressor):
    """``NeuralNetRegressor`` with the lean per-batch path of ``_LeanBatchLoop``."""
