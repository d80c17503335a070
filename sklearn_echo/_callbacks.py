"""skorch callbacks that the LSTM estimators add to every network they train."""

import copy
import math
import sys

import torch
from skorch.callbacks import Callback, PrintLog, ProgressBar
from torch.nn.utils import parameters_to_vector

from sklearn_echo._fit_plan import PLATEAU_FRACTION
from sklearn_echo._net import _BatchIterator


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
        # One check over all weights (and one device sync), not one per tensor.
        with torch.no_grad():
            weights = parameters_to_vector(net.module_.parameters())
            weights_finite = bool(torch.isfinite(weights).all())
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


class BatchAccuracy(Callback):
    """Record ``train_acc`` and ``valid_acc``: the accuracy on each epoch's batches.

    skorch's ``EpochScoring`` caches every batch's predictions until the
    epoch ends (400 MB of logits for a million sequences of 100 classes).
    Counting the correct predictions batch by batch needs no memory, and
    keeps no small tensor per batch alive, which fragmented the heap
    (``benchmarks/bench_throughput.py`` and ``bench_memory.py`` measure
    both).
    Like the tutorial's Keras log, ``train_acc`` is measured while the
    weights change (and with dropout active), so it trails the accuracy of
    the final weights; ``valid_acc``, on the early-stopping hold-out, is
    measured on the weights at the end of the epoch.

    With ``sizes`` (a multi-output classifier: the number of classes of each
    target, whose logits lie side by side), a sequence counts as correct
    when every target is: the subset accuracy that ``score`` reports.
    """

    def __init__(self, sizes=None):
        self.sizes = sizes

    def on_epoch_begin(self, net, **kwargs):
        self.correct_ = {True: 0, False: 0}
        self.seen_ = {True: 0, False: 0}

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        y = batch[1]
        if y.device != y_pred.device:
            y = y.to(y_pred.device)
        if self.sizes is None:
            hits = y_pred.argmax(dim=1) == y
        else:
            blocks = y_pred.split(self.sizes, dim=1)
            hits = torch.stack(
                [block.argmax(dim=1) == y[:, j] for j, block in enumerate(blocks)], 1
            ).all(dim=1)
        weights = getattr(batch, "weights", None)
        if weights is not None:
            # Weighted rows (sample or class weights): the weighted accuracy,
            # as scikit-learn's score(X, y, sample_weight).
            weights = weights.to(hits.device)
            self.correct_[training] += (weights * hits).sum()
            self.seen_[training] += weights.sum()
            return
        # Summed as a tensor: no device sync per batch.
        # count_nonzero, unlike sum, does not first cast the bools to int64.
        self.correct_[training] += hits.count_nonzero()
        self.seen_[training] += len(y)

    def on_train_begin(self, net, **kwargs):
        self.best_ = {}
        for key in ("train_acc", "valid_acc"):
            previous = [row[key] for row in net.history if key in row]
            self.best_[key] = max(previous, default=-1.0)

    def on_epoch_end(self, net, **kwargs):
        self._to_numbers()
        for training, key in ((True, "train_acc"), (False, "valid_acc")):
            if not self.seen_[training]:
                continue
            accuracy = self.correct_[training] / self.seen_[training]
            net.history.record(key, accuracy)
            if key == "train_acc":
                # PrintLog highlights the keys whose "<key>_best" is True
                # (the stopping rule records valid_acc_best).
                net.history.record(key + "_best", accuracy > self.best_[key])
            self.best_[key] = max(self.best_[key], accuracy)

    def on_train_end(self, net, **kwargs):
        # Numbers again, also after an interrupted epoch: a tensor kept in a
        # callback made skorch's unpickling fall back to weights_only=False.
        self._to_numbers()

    def _to_numbers(self):
        # Counts are ints; weighted sums floats.
        for name in ("correct_", "seen_"):
            sums = getattr(self, name, {})
            setattr(self, name, {key: _number(value) for key, value in sums.items()})


def _number(value):
    """Return a count or a sum, a tensor or not, as a Python int or float."""
    if torch.is_tensor(value):
        value = value.item()
    return value


class BatchR2(Callback):
    """Record ``train_r2`` and ``valid_r2``: the R² on each epoch's batches.

    The regressor's counterpart of :class:`BatchAccuracy`: per target, the
    sums of ``y``, ``y**2`` and of the squared errors are accumulated batch
    by batch (float64 tensors on the net's device, so no sync per batch and
    no cached predictions), and the epoch's R² is the mean over targets of
    ``1 - SSE / SST``, as ``r2_score``'s ``'uniform_average'``.  A target
    that is constant over the epoch scores 1 if predicted exactly, else 0
    (``r2_score``'s ``force_finite``).  R² does not change under the
    regressor's standardisation of ``y``, so the scaled values are used.
    """

    def on_epoch_begin(self, net, **kwargs):
        self.sums_ = {True: None, False: None}

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        y = batch[1]
        if y.device != y_pred.device:
            y = y.to(y_pred.device)
        y, y_pred = y.double(), y_pred.detach().double()
        weights = getattr(batch, "weights", None)
        if weights is None:
            sums = torch.stack(
                [
                    y.sum(dim=0),
                    (y * y).sum(dim=0),
                    ((y - y_pred) ** 2).sum(dim=0),
                    torch.full_like(y[0], len(y)),
                ]
            )
        else:
            # Weighted rows: the weighted R², as r2_score's sample_weight.
            w = weights.to(y.device).double()[:, None]
            sums = torch.stack(
                [
                    (w * y).sum(dim=0),
                    (w * y * y).sum(dim=0),
                    (w * (y - y_pred) ** 2).sum(dim=0),
                    (w * torch.ones_like(y)).sum(dim=0),
                ]
            )
        previous = self.sums_[training]
        self.sums_[training] = sums if previous is None else previous + sums

    def on_train_begin(self, net, **kwargs):
        self.best_ = max(
            (row["train_r2"] for row in net.history if "train_r2" in row),
            default=-math.inf,
        )

    def on_epoch_end(self, net, **kwargs):
        for training, key in ((True, "train_r2"), (False, "valid_r2")):
            sums = self.sums_[training]
            if sums is None:
                continue
            total, squares, errors, count = sums.cpu().numpy()
            spread = squares - total**2 / count
            # Rounding can leave a tiny spread (or a negative one) for a
            # constant target: treat it as constant.
            constant = spread <= 1e-12 * squares.clip(min=1e-300)
            scores = [
                (1.0 if error == 0 else 0.0) if flat else 1.0 - error / sst
                for error, sst, flat in zip(errors, spread, constant, strict=True)
            ]
            score = float(sum(scores) / len(scores))
            net.history.record(key, score)
            if training:
                net.history.record(key + "_best", score > self.best_)
                self.best_ = max(self.best_, score)
        # Nothing kept between epochs (nor in the pickle).
        self.sums_ = {True: None, False: None}

    def on_train_end(self, net, **kwargs):
        self.sums_ = {True: None, False: None}


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

    The copy is made into buffers kept from epoch to epoch, tensor by
    tensor: with an epoch of one step (a small training set in one batch),
    a fresh ``copy.deepcopy`` of both state dicts took as long as the step.
    """

    def on_train_begin(self, net, **kwargs):
        self.in_epoch_ = False
        self.interrupted_epoch_ = None
        self.saved_ = None

    @staticmethod
    def _state(net):
        """Return the parameters with optimizer state, and every state tensor."""
        optimizer = net.optimizer_
        stateful = [
            p
            for group in optimizer.param_groups
            for p in group["params"]
            if optimizer.state.get(p)
        ]
        tensors = list(net.module_.state_dict().values())
        for p in stateful:
            state = optimizer.state[p]
            tensors += [state[k] for k in sorted(state) if torch.is_tensor(state[k])]
        return stateful, tensors

    def on_epoch_begin(self, net, **kwargs):
        self.in_epoch_ = True
        stateful, tensors = self._state(net)
        saved = self.saved_
        if saved is None or [(t.shape, t.dtype) for t in saved] != [
            (t.shape, t.dtype) for t in tensors
        ]:
            saved = [t.detach().clone() for t in tensors]
        else:
            with torch.no_grad():
                for copy, tensor in zip(saved, tensors, strict=True):
                    copy.copy_(tensor)
        self.saved_ = saved
        self.stateful_ = stateful
        self.groups_ = [
            {key: value for key, value in group.items() if key != "params"}
            for group in net.optimizer_.param_groups
        ]

    def on_epoch_end(self, net, **kwargs):
        self.in_epoch_ = False

    def on_train_end(self, net, **kwargs):
        if not self.in_epoch_:
            return
        self.in_epoch_ = False
        optimizer = net.optimizer_
        # State the optimizer made during the unfinished epoch goes.
        kept = {id(p) for p in self.stateful_}
        for group in optimizer.param_groups:
            for p in group["params"]:
                if id(p) not in kept:
                    optimizer.state.pop(p, None)
        _, tensors = self._state(net)
        with torch.no_grad():
            for tensor, copy in zip(tensors, self.saved_, strict=True):
                tensor.copy_(copy)
        for group, saved in zip(optimizer.param_groups, self.groups_, strict=True):
            group.update(saved)
        self.interrupted_epoch_ = len(net.history)
        net.history.pop()
        self._forget()

    def _forget(self):
        for name in ("saved_", "stateful_", "groups_"):
            self.__dict__.pop(name, None)

    def __getstate__(self):
        # The state copies are only needed during training.
        state = self.__dict__.copy()
        for name in ("saved_", "stateful_", "groups_"):
            state.pop(name, None)
        return state


class StoppingRule(Callback):
    """Stop once training has converged, never on the initial plateau.

    ``MLPClassifier``'s rule: training stops after ``patience`` consecutive
    epochs in which ``monitor`` (the training loss, or the validation score
    with early stopping) did not improve by at least ``tol`` on its best.
    Two additions, both measured on the echo problem
    (``benchmarks/bench_learning.py``):

    - **No stopping on the plateau.**  An LSTM on long sequences first sits
      for epochs at the loss of guessing the class frequencies (or, for a
      regressor, the mean), while the validation score wanders at chance.
      Epochs without improvement are not counted while the best training
      loss is above ``plateau_fraction`` times that loss (``prior_loss``:
      the entropy of the training labels, or the variance of the training
      targets): a model that has learnt nothing beyond the class frequencies
      or the mean has not converged.  The budget (``max_epochs``) still ends
      a run that never leaves the plateau.  A ``prior_loss`` of 0 (constant
      targets) has no plateau.
    - **Adaptive learning rate.**  Each epoch without improvement past the
      plateau divides the learning rate by ``1 / lr_factor``, as
      ``MLPClassifier(learning_rate='adaptive')`` does: after the escape a
      large rate makes the last percent of accuracy oscillate, and a
      smaller one settles it.

    With ``restore_best``, the weights of the best epoch are put back when
    training ends (``MLPClassifier`` does this with early stopping).  A
    score at ``best_possible`` (a validation accuracy of 1) in two
    consecutive epochs cannot improve, and ends training without waiting for
    ``patience`` to run out.

    The rule decides at ``on_epoch_end`` (``stopped_``, and ``reason_`` for
    the progress output); :class:`EndWhenStopped`, after the user's
    callbacks, ends training.
    """

    def __init__(
        self,
        monitor,
        *,
        lower_is_better,
        tol,
        patience,
        prior_loss,
        plateau_fraction,
        lr_factor=1.0,
        restore_best=False,
        best_possible=None,
    ):
        self.monitor = monitor
        self.lower_is_better = lower_is_better
        self.tol = tol
        self.patience = patience
        self.prior_loss = prior_loss
        self.plateau_fraction = plateau_fraction
        self.lr_factor = lr_factor
        self.restore_best = restore_best
        self.best_possible = best_possible

    def on_train_begin(self, net, **kwargs):
        self.best_ = math.inf if self.lower_is_better else -math.inf
        self.best_epoch_ = None
        self.best_state_ = None
        self.no_change_ = 0
        self.learnt_ = False
        self.at_best_possible_ = False
        self.stopped_ = False
        self.reason_ = None

    def _improved(self, value):
        if self.lower_is_better:
            return value < self.best_ - self.tol
        return value > self.best_ + self.tol

    def on_epoch_end(self, net, **kwargs):
        value = net.history[-1, self.monitor]
        improved = self._improved(value)
        if self.monitor != "train_loss":
            # skorch records train_loss_best itself; PrintLog highlights these.
            net.history.record(f"{self.monitor}_best", bool(improved))
        at_best_possible = value == self.best_possible
        # A tie at the best possible score keeps the later, longer trained
        # weights (on the book config, the first epoch at a validation
        # accuracy of 1 scored 0.9989 on fresh sequences, the next 1.0).
        if improved or at_best_possible:
            self.best_ = value
            self.best_epoch_ = len(net.history)
            if self.restore_best:
                self.best_state_ = copy.deepcopy(net.module_.state_dict())
        perfect_twice = at_best_possible and self.at_best_possible_
        self.at_best_possible_ = at_best_possible
        if not self.learnt_:
            self.learnt_ = self.prior_loss <= 0 or (
                net.history[-1, "train_loss"] <= self.plateau_fraction * self.prior_loss
            )
        if improved or not self.learnt_:
            self.no_change_ = 0
            return
        self.no_change_ += 1
        if self.no_change_ >= self.patience or perfect_twice:
            # EndWhenStopped, after the user's callbacks, ends training.
            what = (
                "Training loss" if self.monitor == "train_loss" else "Validation score"
            )
            self.stopped_ = True
            if perfect_twice:
                self.reason_ = (
                    f"{what} was {value}, the best possible, in two consecutive "
                    "epochs. Stopping."
                )
            else:
                self.reason_ = (
                    f"{what} did not improve more than tol={self.tol} for "
                    f"{self.patience} consecutive epochs. Stopping."
                )
            return
        if self.lr_factor != 1.0:
            for group in net.optimizer_.param_groups:
                group["lr"] *= self.lr_factor

    def on_train_end(self, net, **kwargs):
        if self.restore_best and self.best_state_ is not None:
            if self.best_epoch_ != len(net.history):
                net.module_.load_state_dict(self.best_state_)
        self.best_state_ = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("best_state_", None)
        return state


class EndWhenStopped(Callback):
    """End training after an epoch at which the stopping rule decided to stop.

    :class:`StoppingRule` decides at its ``on_epoch_end``, before the user's
    callbacks; this callback, after them, ends training, so that every
    callback sees the last epoch (a callback that raised there would hide it
    from those after it).  skorch ends training on ``KeyboardInterrupt``, as
    its ``EarlyStopping`` does.
    """

    def on_epoch_end(self, net, **kwargs):
        callbacks = dict(net.callbacks_)
        rule = callbacks["stopping"]
        if not rule.stopped_:
            return
        if net.verbose:
            # PrintLog runs after every other callback and would miss the
            # last row, as training ends by raising here.
            callbacks["print_log"].on_epoch_end(net, **kwargs)
            print(rule.reason_)
        raise KeyboardInterrupt


class CosineDecay(Callback):
    """Decay the learning rate to zero over ``total_steps`` gradient steps.

    Cosine annealing (Loshchilov & Hutter, 2017) in torch's chainable form:
    before step ``k`` each group's rate is multiplied by
    ``c(k) / c(k - 1)``, with ``c(k) = (1 + cos(pi * k / total_steps)) / 2``,
    so another callback's changes to the rate (the stopping rule's factor)
    carry through.  The LSTM-FCN estimators' ``fit`` uses it: the last
    steps take small steps, so the weights at the end of the budget are
    settled, not the weights of one noisy step.
    """

    def __init__(self, total_steps):
        self.total_steps = total_steps

    def _level(self, step):
        step = min(step, self.total_steps - 1)
        return 0.5 * (1.0 + math.cos(math.pi * step / self.total_steps))

    def on_train_begin(self, net, **kwargs):
        self.step_ = 0

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if not training:
            return
        if self.step_ > 0:
            ratio = self._level(self.step_) / self._level(self.step_ - 1)
            for group in net.optimizer_.param_groups:
                group["lr"] *= ratio
        self.step_ += 1


class RecalibrateNorms(Callback):
    """Recompute the batch-norm statistics on the training data when training ends.

    Batch normalisation keeps running averages of each batch's statistics
    for prediction, and with the small batches of small training sets those
    averages lag the weights: on ArrowHead (tuning seed 500) the test
    accuracy of one fit swung between 0.34 and 0.74 from epoch to epoch.
    When training ends (after the stopping rule has restored the best
    weights), this callback runs the module over the training sequences
    once, without gradients, and replaces the running statistics with the
    statistics of those sequences ("precise BN", Wu & Johnson 2021); the
    module's ``recalibrate_norms`` does the work.
    """

    def on_train_end(self, net, X=None, y=None, **kwargs):
        if X is None or len(X) == 0:
            return
        rows = net.__dict__.get("iterator_train__rows")
        dataset = net.get_dataset(X, y)
        batches = _BatchIterator(dataset, batch_size=256, rows=rows)
        device = torch.device(net.device)
        net.module_.recalibrate_norms(
            _to_module_args(X_batch, device) for X_batch, _ in batches
        )


def _to_module_args(X, device):
    """Return a batch's module arguments: ``(steps,)`` or ``(steps, lengths)``."""
    if isinstance(X, tuple):
        return tuple(None if part is None else part.to(device) for part in X)
    return (X.to(device),)


class PlainPrintLog(PrintLog):
    """skorch's PrintLog, without colour codes when output is not a terminal.

    skorch colours the best value of each column with ANSI escape codes,
    which show as ``[92m`` garbage in log files, notebooks' captured output
    and CI logs.
    """

    def on_epoch_end(self, net, **kwargs):
        # skorch formats the table even when it prints nothing; with an epoch
        # of one step that took a third as long as the step.
        if net.verbose or self.sink is not print:
            super().on_epoch_end(net, **kwargs)

    def format_row(self, row, key, color):
        if not _is_terminal(self.sink):
            row = {name: value for name, value in row.items() if name != key + "_best"}
        return super().format_row(row, key, color)


def _is_terminal(sink):
    if sink is not print:
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def training_callbacks(targets, params, plan):
    """Return a net's callbacks: the built-in ones for ``plan``, then the user's.

    Last comes :class:`EndWhenStopped`, where the stopping rule ends
    training, so that the user's callbacks see every epoch.

    ``targets`` (:mod:`sklearn_echo._targets`) give the score recorded per
    epoch and what early stopping watches; ``params`` the clipping, the
    progress bar and the user's callbacks.
    """
    callbacks = [
        targets.score_callback(),
        ("nonfinite_loss", StopOnNonFiniteLoss()),
        ("keep_last_epoch", KeepLastFinishedEpoch()),
    ]
    if plan.stops:
        monitor = f"valid_{targets.score_key}" if plan.holds_out else "train_loss"
        rule = StoppingRule(
            monitor,
            lower_is_better=not plan.holds_out,
            tol=params.tol,
            patience=plan.patience,
            prior_loss=plan.prior_loss,
            plateau_fraction=PLATEAU_FRACTION,
            lr_factor=plan.lr_factor,
            restore_best=plan.holds_out,
            best_possible=targets.best_possible_score if plan.holds_out else None,
        )
        callbacks.append(("stopping", rule))
        ending = [("end_when_stopped", EndWhenStopped())]
    else:
        ending = []
    if plan.decay_steps is not None:
        callbacks.append(("lr_decay", CosineDecay(plan.decay_steps)))
    if plan.recalibrate_norms:
        # After the stopping rule, which may restore the best weights.
        callbacks.append(("recalibrate_norms", RecalibrateNorms()))
    if params.clip_grad_norm is not None:
        callbacks.append(("clip_grad_norm", ClipGradNorm(params.clip_grad_norm)))
    if params.verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    return callbacks + params.callbacks + ending
