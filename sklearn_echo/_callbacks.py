"""skorch callbacks that LSTMClassifier adds to every network it trains."""

import copy
import math

import torch
from skorch.callbacks import Callback, EarlyStopping


class StopOnNonFiniteLoss(Callback):
    """Raise ``FloatingPointError`` after an epoch whose training loss is NaN/inf.

    Without it, an absurd learning rate silently leaves a model of NaNs that
    predicts the first class for everything.  The check runs once per epoch (the
    epoch's loss is the mean of its batches', so one bad batch shows), to add
    nothing to the per-batch cost.
    """

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        # The loss is computed before each step, so the last step of an epoch
        # can leave non-finite weights behind a finite loss: check those too.
        weights_finite = all(
            bool(torch.isfinite(p).all()) for p in net.module_.parameters()
        )
        if not math.isfinite(loss):
            problem = f"training loss became {loss}"
        elif not weights_finite:
            problem = "weights became non-finite"
        else:
            return
        raise FloatingPointError(
            f"The {problem} in epoch {len(net.history)}, so training stopped. "
            f"Try a smaller lr (now {net.lr}) or clip_grad_norm."
        )


class TrainAccuracy(Callback):
    """Record ``train_acc``: the accuracy on the training batches of each epoch.

    skorch's ``EpochScoring(on_train=True)`` caches every batch's predictions
    until the epoch ends: 400 MB of logits for a million sequences of 100
    classes.  Counting the correct predictions batch by batch needs no memory.
    The count costs about 2% of a training step on the book config (length 5,
    10 values), where steps are shortest; writing each batch's predictions
    into a buffer cost the same, and keeping a small tensor per batch until the
    epoch ended raised the peak memory of a million-sequence fit from 860 MB
    to 0.9 to 1.2 GB, as the long-lived allocations kept the heap from
    shrinking (``benchmarks/bench_throughput.py``, ``bench_memory.py``).
    Like the tutorial's Keras log, it is measured while the weights change
    (and with dropout active), so it trails the accuracy of the final weights.
    """

    def on_epoch_begin(self, net, **kwargs):
        self.correct_ = 0
        self.seen_ = 0

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if training:
            y = batch[1]
            if y.device != y_pred.device:
                y = y.to(y_pred.device)
            # Summed as a tensor: no device sync per batch.
            # count_nonzero, unlike sum, does not first cast the bools to int64.
            self.correct_ += (y_pred.argmax(dim=1) == y).count_nonzero()
            self.seen_ += len(y)

    def on_train_begin(self, net, **kwargs):
        previous = [row["train_acc"] for row in net.history if "train_acc" in row]
        self.best_ = max(previous, default=-1.0)

    def on_epoch_end(self, net, **kwargs):
        self.correct_ = int(self.correct_)
        if not self.seen_:
            return
        accuracy = self.correct_ / self.seen_
        net.history.record("train_acc", accuracy)
        # PrintLog highlights the keys whose "<key>_best" is True.
        net.history.record("train_acc_best", accuracy > self.best_)
        self.best_ = max(self.best_, accuracy)

    def on_train_end(self, net, **kwargs):
        # An int again, also after an interrupted epoch: a tensor kept in a
        # callback made skorch's unpickling fall back to weights_only=False.
        self.correct_ = int(self.correct_)


class ClipGradNorm(Callback):
    """Clip the gradient norm of the module's trainable parameters.

    Does what skorch's ``GradientNormClipping`` does, with the parameter list
    gathered once per fit: skorch hands each batch a fresh generator over all
    learnable parameters, which cost ~4% of a training step on short sequences
    (``benchmarks/bench_throughput.py``, book config).
    """

    def __init__(self, max_norm):
        self.max_norm = max_norm

    def on_train_begin(self, net, **kwargs):
        self.parameters_ = [p for p in net.module_.parameters() if p.requires_grad]

    def on_grad_computed(self, net, named_parameters, **kwargs):
        torch.nn.utils.clip_grad_norm_(self.parameters_, self.max_norm)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("parameters_", None)
        return state


class KeepLastFinishedEpoch(Callback):
    """On an interrupted epoch, restore the weights of the last finished epoch.

    skorch ends training quietly on ``KeyboardInterrupt`` (Ctrl-C), leaving the
    weights of a half-done epoch.  This callback keeps a copy of the module and
    optimizer state at the start of each epoch; if training ends in the middle
    of one, it puts that copy back, drops the unfinished epoch from the history
    and records its number in ``interrupted_epoch_`` (the estimator warns).
    An epoch that ran to its end (also one that a callback stopped at
    ``on_epoch_end``, as ``EarlyStopping`` does) is kept.
    """

    def on_train_begin(self, net, **kwargs):
        self.in_epoch_ = False
        self.interrupted_epoch_ = None

    def on_epoch_begin(self, net, **kwargs):
        self.in_epoch_ = True
        self.module_state_ = copy.deepcopy(net.module_.state_dict())
        self.optimizer_state_ = copy.deepcopy(net.optimizer_.state_dict())

    def on_epoch_end(self, net, **kwargs):
        self.in_epoch_ = False

    def on_train_end(self, net, **kwargs):
        if not self.in_epoch_:
            return
        self.in_epoch_ = False
        net.module_.load_state_dict(self.module_state_)
        net.optimizer_.load_state_dict(self.optimizer_state_)
        self.interrupted_epoch_ = len(net.history)
        net.history.pop()

    def __getstate__(self):
        # The state copies are only needed during training.
        state = self.__dict__.copy()
        state.pop("module_state_", None)
        state.pop("optimizer_state_", None)
        return state


class PrintingEarlyStopping(EarlyStopping):
    """skorch's EarlyStopping, but the epoch it stops at is still printed.

    skorch runs PrintLog after every other callback, and EarlyStopping ends
    training by raising before it, so with ``verbose`` the last epoch's row
    was missing from the table.
    """

    def on_epoch_end(self, net, **kwargs):
        messages = []
        self.sink = messages.append
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            if net.verbose:
                dict(net.callbacks_)["print_log"].on_epoch_end(net, **kwargs)
                for message in messages:
                    print(message)
            raise
