"""skorch callbacks that LSTMClassifier adds to every network it trains."""

import copy
import math
import warnings

from skorch.callbacks import Callback, EarlyStopping


class StopOnNonFiniteLoss(Callback):
    """Raise ``FloatingPointError`` as soon as a training batch's loss is NaN/inf.

    Without it, an absurd learning rate silently leaves a model of NaNs that
    predicts the first class for everything.
    """

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        loss = net.history[-1, "batches", -1, "train_loss"]
        if not math.isfinite(loss):
            raise FloatingPointError(
                f"The training loss became {loss} in epoch {len(net.history)}, so "
                f"training stopped. Try a smaller lr (now {net.lr}) or clip_grad_norm."
            )


class KeepLastFinishedEpoch(Callback):
    """On an interrupted epoch, restore the weights of the last finished epoch.

    skorch ends training quietly on ``KeyboardInterrupt`` (Ctrl-C), leaving the
    weights of a half-done epoch.  This callback keeps a copy of the module and
    optimizer state at the start of each epoch; if training ends in the middle
    of one, it puts that copy back, drops the unfinished epoch from the history
    and warns.  An epoch that ran to its end (also one that a callback stopped
    at ``on_epoch_end``, as ``EarlyStopping`` does) is kept.
    """

    def on_train_begin(self, net, **kwargs):
        self.in_epoch_ = False

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
        epoch = len(net.history)
        net.history.pop()
        warnings.warn(
            f"Training was interrupted during epoch {epoch}; the model keeps the "
            f"weights after epoch {epoch - 1} (the last finished one).",
            UserWarning,
            stacklevel=2,
        )

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
