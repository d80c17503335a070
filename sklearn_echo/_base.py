"""The machinery every LSTM estimator of sklearn_echo shares.

As scikit-learn's ``BaseMultilayerPerceptron`` serves ``MLPClassifier`` and
``MLPRegressor``, and skorch's ``NeuralNet`` serves ``NeuralNetClassifier``
and ``NeuralNetRegressor``, :class:`BaseLSTMEstimator` holds what
:class:`~sklearn_echo.LSTMClassifier` and :class:`~sklearn_echo.LSTMRegressor`
have in common: the parameters and their checks, the input checks, the skorch
net and its training (the recipe, the stopping rule, early stopping, warm
start, ``partial_fit``, faults), prediction on fixed-size blocks, and
``summary()``.  A subclass adds its targets: how ``y`` is checked and
encoded, the loss, the score recorded after each epoch, how the hold-out is
drawn, and what ``predict`` returns.
"""

import copy
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)
from skorch.callbacks import Callback, ProgressBar
from skorch.dataset import Dataset
from skorch.helper import predefined_split

from sklearn_echo._callbacks import (
    ClipGradNorm,
    KeepLastFinishedEpoch,
    PlainPrintLog,
    StopOnNonFiniteLoss,
    StoppingRule,
)
from sklearn_echo._module import LSTMModule, uses_lookup
from sklearn_echo._net import _BatchIterator
from sklearn_echo._prediction import predict_blocks
from sklearn_echo._ragged import (
    RaggedSequences,
    forget_fitted_length,
    read_ragged,
)
from sklearn_echo._validation import (
    check_allocation,
    check_float,
    check_int,
    explain_array_errors,
    passes_as_is,
    value_repr,
)

_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "sgd": torch.optim.SGD,
}
# The named optimizers run torch's fused kernel where torch has one: one C++ call
# per step instead of a Python loop over the parameters.  For the book config
# (length 5, 10 values) that made a plain PyTorch training loop 1.2x as fast
# (``benchmarks/bench_throughput.py`` runs its plain loop with the same
# optimizer).  An optimizer class passed by the user is built with torch's
# defaults.
_FUSED = ("adam", "adamw", "sgd")

# The training recipe ("Training that lands" in the user guide, which gives the
# measurements behind each number; benchmarks/bench_learning.py measures it).
# batch_size='auto': _AUTO_BATCH sequences per step, fewer for small training
# sets so that an epoch has at least _AUTO_BATCH_STEPS steps (at least
# _AUTO_BATCH_MIN sequences each): on 200 sequences of the book config, batches
# of 64 memorised the data and scored ~0.88 on fresh sequences, batches of ~8
# scored ~0.96 (the noise of small batches regularises).
_AUTO_BATCH = 64
_AUTO_BATCH_MIN = 4
_AUTO_BATCH_STEPS = 50
# lr='auto': _AUTO_LR for batches of _AUTO_BATCH, scaled by the square root of
# the batch size (the square-root scaling rule for Adam, Malladi et al. 2022):
# on 200 sequences, batches of 4 at the full rate scored 0.969 on average, at
# the scaled rate 0.979.
_AUTO_LR = 1e-2
# max_epochs='auto': enough epochs for this many gradient steps, at least
# _AUTO_MIN_EPOCHS; the stopping rule usually ends the fit long before.
_AUTO_STEPS = 6000
_AUTO_MIN_EPOCHS = 20
# early_stopping='auto' holds out a validation set from this many sequences on,
# as HistGradientBoostingClassifier's early_stopping='auto' does.
_AUTO_EARLY_STOPPING_SAMPLES = 10_000
# The plateau: epochs do not count towards n_iter_no_change while the training
# loss is above this fraction of the loss of predicting the class frequencies.
_PLATEAU_FRACTION = 0.9
# Each epoch without improvement past the plateau multiplies the learning rate
# by this (MLPClassifier's learning_rate='adaptive' divides it by 5).  Only
# with a hold-out (see _no_hold_out_rule).
_LR_FACTOR = 0.2
# n_iter_no_change='auto': _AUTO_PATIENCE epochs with a hold-out; without one,
# enough epochs for _no_hold_out_rule's number of gradient steps.
_AUTO_PATIENCE = 2


class BaseLSTMEstimator(BaseEstimator):
    """Base class of the LSTM estimators; not for direct use.

    The parameters are documented on :class:`~sklearn_echo.LSTMClassifier`
    and :class:`~sklearn_echo.LSTMRegressor`.  A subclass sets the class
    attributes below and implements the target hooks (``_fit_targets`` and
    ``_partial_fit_targets``, which check ``y``, set the fitted attributes
    that describe it and return it ready for ``_encode_targets``,
    ``_target_signature``, ``_encode_targets``, ``_hold_out_problem``,
    ``_stratify``, ``_prior_loss``, ``_score_callback``, ``_net_kwargs``,
    ``_n_outputs``).
    """

    # The skorch net class (a ``_LeanLoop`` net).
    _net_class = None
    # The score recorded after each epoch as ``train_<key>`` and
    # ``valid_<key>`` (the early-stopping monitor, higher is better).
    _score_key = None
    # A validation score that cannot improve and ends training at once.
    _best_possible_score = None
    # What ``_target_signature`` describes, for the warm-start error.
    _target_description = None
    # The kind of hold-out, for the early-stopping error.
    _hold_out_kind = "validation hold-out"
    # Without a hold-out the stopping rule watches the training loss: the
    # learning-rate factor per epoch without improvement, and the least number
    # of gradient steps that n_iter_no_change='auto' epochs must span.  The
    # training loss of an epoch of a few dozen steps is too noisy to judge
    # epochs one by one, and dividing the rate by 5 after each epoch without
    # improvement stopped fits that were still learning (GunPoint: 0.70 on
    # average over 3 tuning seeds with it, 0.89 with a constant rate and a
    # patience of 1,000 steps).
    _no_hold_out_rule = (1.0, 1000)

    def __init__(
        self,
        *,
        hidden_size=25,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        forget_bias="chrono",
        burn_in=0,
        max_epochs="auto",
        batch_size="auto",
        lr="auto",
        clip_grad_norm=1.0,
        optimizer="adam",
        tol=1e-4,
        n_iter_no_change="auto",
        early_stopping="auto",
        validation_fraction=0.1,
        callbacks=None,
        device="cpu",
        verbose=0,
        warm_start=False,
        random_state=None,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.forget_bias = forget_bias
        self.burn_in = burn_in
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.clip_grad_norm = clip_grad_norm
        self.optimizer = optimizer
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.device = device
        self.verbose = verbose
        self.warm_start = warm_start
        self.random_state = random_state

    # The module reads one-hot (or any real-valued) steps; TokenLSTMClassifier
    # sets this to read integer tokens.
    _tokens = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------------ checks

    def _check_params(self):
        """Validate the hyperparameters; return them converted for torch.

        numpy scalars (as a grid search over ``np.arange`` passes) become
        Python numbers, which torch's constructors insist on.
        """
        params = {
            "hidden_size": check_int(self.hidden_size, "hidden_size", min_val=1),
            "num_layers": check_int(self.num_layers, "num_layers", min_val=1),
            "dropout": check_float(
                self.dropout,
                "dropout",
                min_val=0.0,
                max_val=1.0,
                include_boundaries="left",
            ),
            "bidirectional": _check_bool(self.bidirectional, "bidirectional"),
            "forget_bias": _check_auto(
                self.forget_bias,
                "forget_bias",
                "chrono",
                lambda value: (
                    None if value is None else check_float(value, "forget_bias")
                ),
                "a real number, 'chrono' or None",
            ),
            "burn_in": check_int(self.burn_in, "burn_in", min_val=0),
            "max_epochs": _check_auto(
                self.max_epochs,
                "max_epochs",
                "auto",
                lambda value: check_int(value, "max_epochs", min_val=1),
                "an integer >= 1 or 'auto'",
            ),
            "early_stopping": _check_auto(
                self.early_stopping,
                "early_stopping",
                "auto",
                lambda value: _check_bool(value, "early_stopping"),
                "a bool or 'auto'",
            ),
            "validation_fraction": check_float(
                self.validation_fraction,
                "validation_fraction",
                min_val=0.0,
                max_val=1.0,
                include_boundaries="neither",
            ),
            "batch_size": _check_auto(
                self.batch_size,
                "batch_size",
                "auto",
                lambda value: check_int(value, "batch_size", min_val=1),
                "an integer >= 1 or 'auto'",
            ),
            "lr": _check_auto(
                self.lr,
                "lr",
                "auto",
                lambda value: check_float(
                    value, "lr", min_val=0.0, include_boundaries="neither"
                ),
                "a positive real number or 'auto'",
            ),
            "clip_grad_norm": None
            if self.clip_grad_norm is None
            else check_float(
                self.clip_grad_norm,
                "clip_grad_norm",
                min_val=0.0,
                include_boundaries="neither",
            ),
            "tol": check_float(self.tol, "tol", min_val=0.0),
            "n_iter_no_change": _check_auto(
                self.n_iter_no_change,
                "n_iter_no_change",
                "auto",
                lambda value: check_int(value, "n_iter_no_change", min_val=1),
                "an integer >= 1 or 'auto'",
            ),
            # verbose=True is accepted, as in scikit-learn's estimators.
            "verbose": int(self.verbose)
            if isinstance(self.verbose, (bool, np.bool_))
            else check_int(self.verbose, "verbose", min_val=0),
            "warm_start": _check_bool(self.warm_start, "warm_start"),
            "callbacks": _check_callbacks(self.callbacks),
            "optimizer": self._optimizer_class(),
            "optimizer_kwargs": {"fused": True}
            if isinstance(self.optimizer, str) and self.optimizer.lower() in _FUSED
            else {},
            "device": self._torch_device(),
        }
        return params

    def _optimizer_class(self):
        if isinstance(self.optimizer, str):
            try:
                return _OPTIMIZERS[self.optimizer.lower()]
            except KeyError:
                raise ValueError(
                    f"optimizer must be one of {sorted(_OPTIMIZERS)} or a torch "
                    f"optimizer class, got {self.optimizer!r}."
                ) from None
        if isinstance(self.optimizer, type) and issubclass(
            self.optimizer, torch.optim.Optimizer
        ):
            return self.optimizer
        raise TypeError(
            f"optimizer must be one of {sorted(_OPTIMIZERS)} or a torch optimizer "
            f"class, got {self.optimizer!r}."
        )

    def _torch_device(self):
        try:
            device = torch.device(self.device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(
                f"device must name a torch device such as 'cpu' or 'cuda', got "
                f"{self.device!r}."
            ) from exc
        if device.type not in ("cpu", "cuda"):
            raise ValueError(
                f"device must be 'cpu', 'cuda' or 'cuda:N', got {self.device!r}."
            )
        if device.type == "cuda":
            if not torch.cuda.is_available():
                raise ValueError(
                    f"device={self.device!r} was requested, but CUDA is not "
                    "available on this machine; use device='cpu'."
                )
            if device.index is not None and device.index >= torch.cuda.device_count():
                raise ValueError(
                    f"device={self.device!r} was requested, but this machine has "
                    f"{torch.cuda.device_count()} CUDA device(s)."
                )
        return device

    def _validate_sequences(self, X, y=None, *, reset):
        """Return X as a float32 array of shape (n_samples, length, input_size).

        Sequences of different lengths (see ``read_ragged``) are returned as
        :class:`~sklearn_echo._ragged.RaggedSequences` instead.
        """
        X, ragged = read_ragged(
            X,
            type(self).__name__,
            tokens=False,
            reset=reset,
            length=getattr(self, "n_features_in_", None),
        )
        if ragged is not None:
            X, y = self._validate_ragged(ragged, y, reset=reset)
            if not reset and X.values.shape[1] != self.input_size_:
                raise ValueError(
                    f"X has {X.values.shape[1]} features per step, but "
                    f"{type(self).__name__} was fitted with {self.input_size_} "
                    "features per step."
                )
            return X, y
        common = {"reset": reset, "dtype": np.float32, "allow_nd": True}
        with explain_array_errors(type(self).__name__, "numeric sequences"):
            if (
                not reset
                and y is None
                and passes_as_is(self, X, dtypes=(np.dtype(np.float32),), ndims=(2, 3))
            ):
                pass
            elif y is None:
                X = validate_data(self, X, **common)
            else:
                # y may be 1-D or 2-D (several targets); the subclass checks
                # its values.
                X, y = validate_data(self, X, y, multi_output=True, **common)
        if X.ndim == 2:
            X = X[:, :, np.newaxis]
        elif X.ndim != 3:
            raise ValueError(
                f"X must be 2-D (n_samples, length) or 3-D (n_samples, length, "
                f"n_features), got an array of {X.ndim} dimensions, shape {X.shape}."
            )
        if 0 in X.shape[1:]:
            raise ValueError(
                f"Found array with 0 step(s) or 0 feature(s) per step (shape="
                f"{X.shape}) while a minimum of 1 is required by "
                f"{type(self).__name__}."
            )
        if not reset and X.shape[2] != self.input_size_:
            raise ValueError(
                f"X has {X.shape[2]} features per step, but {type(self).__name__} "
                f"was fitted with {self.input_size_} features per step."
            )
        return X, y

    def _validate_ragged(self, X, y, *, reset):
        """Check ``y`` against sequences of different lengths ``X``.

        A fit on them leaves no ``n_features_in_``: scikit-learn's number of
        features is the sequence length, and they have none.  An estimator
        fitted on them predicts arrays of any length.
        """
        if reset:
            forget_fitted_length(self)
        if y is not None:
            # What validate_data(X, y, multi_output=True) does with y.
            y = check_array(
                y, accept_sparse="csr", ensure_2d=False, dtype=None, input_name="y"
            )
            check_consistent_length(X, y)
        return X, y

    # ---------------------------------------------------------------- training

    def _input_size(self, X):
        """Return the input width the module is built for: features per step."""
        if isinstance(X, RaggedSequences):
            return X.values.shape[1]
        return X.shape[2]

    def _mean_step(self, X, width):
        """Return the mean step of validated ``X`` (float32, ``width`` values).

        The mean of the one-hot or real-valued steps; for tokens, each
        token's frequency (the mean of their one-hot steps).  Padding is not
        a step: ragged ``X`` stores only the real ones.
        """
        values = X.values if isinstance(X, RaggedSequences) else X
        if self._tokens:
            counts = np.bincount(values.ravel(), minlength=width)
            return (counts / counts.sum()).astype(np.float32)
        axes = tuple(range(values.ndim - 1))
        return values.mean(axis=axes, dtype=np.float64).astype(np.float32)

    def _seeds(self):
        """Return the seeds of torch (weights, order, dropout) and of the hold-out."""
        rng = check_random_state(self.random_state)
        return tuple(int(rng.randint(np.iinfo(np.int32).max)) for _ in range(2))

    def _fork_rng(self, device):
        devices = [device] if device.type == "cuda" else []
        return torch.random.fork_rng(devices=devices)

    def _check_network_size(self, params, input_size, n_outputs):
        """Refuse a network whose weights alone would not fit in memory."""
        hidden, directions = params["hidden_size"], 1 + params["bidirectional"]
        count = 0
        layer_input = input_size
        for _ in range(params["num_layers"]):
            count += directions * 4 * hidden * (layer_input + hidden + 2)
            layer_input = hidden * directions
        count += (layer_input + 1) * n_outputs
        if self._tokens and uses_lookup(input_size, hidden, directions == 2):
            # The lookup, and the selector of the first layer's new input.
            count += (input_size + 1) * 4 * hidden * directions
            count += directions * (4 * hidden) ** 2 * directions
        # Weights, gradients and the optimizer's state: about four copies.
        check_allocation((4, count), np.float32, "The network's parameters")
        if params["burn_in"]:
            # The burn-in reads its steps for one sequence; each step leaves an
            # output and gates behind: about 5 * hidden values per direction.
            check_allocation(
                (params["burn_in"], 5 * hidden * directions),
                np.float32,
                "The burn-in's steps",
            )

    def _build_net(
        self, params, input_size, n_outputs, *, t_max, fit=None, lookup=None
    ):
        """Build and initialise the skorch net.

        ``t_max`` is the longest training sequence (chrono's time scale);
        ``lookup`` how a token module reads tokens (``LSTMModule``'s).
        ``fit`` describes a call to :meth:`fit` (a dict with the epochs, the
        hold-out and the loss of the prior); None for :meth:`partial_fit`,
        which runs one epoch with no stopping rule.
        """
        self._check_network_size(params, input_size, n_outputs)
        validation = None if fit is None else fit["validation"]
        callbacks = [
            self._score_callback(),
            ("nonfinite_loss", StopOnNonFiniteLoss()),
            ("keep_last_epoch", KeepLastFinishedEpoch()),
        ]
        if fit is not None:
            callbacks.append(
                (
                    "stopping",
                    StoppingRule(
                        "train_loss"
                        if validation is None
                        else f"valid_{self._score_key}",
                        lower_is_better=validation is None,
                        tol=params["tol"],
                        patience=fit["patience"],
                        prior_loss=fit["prior_loss"],
                        plateau_fraction=_PLATEAU_FRACTION,
                        lr_factor=fit["lr_factor"],
                        restore_best=validation is not None,
                        best_possible=None
                        if validation is None
                        else self._best_possible_score,
                    ),
                )
            )
        if params["clip_grad_norm"] is not None:
            callbacks.append(("clip_grad_norm", ClipGradNorm(params["clip_grad_norm"])))
        if params["verbose"] >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        callbacks.extend(params["callbacks"])
        split = {"train_split": None, "callbacks__valid_loss": None}
        if fit is not None and fit["train_rows"] is not None:
            # The hold-out reads rows of the same arrays: no copies.
            split = {
                "train_split": predefined_split(Dataset(fit["X"], fit["y"])),
                "iterator_train__rows": fit["train_rows"],
                "iterator_valid": _BatchIterator,
                "iterator_valid__rows": validation,
                "iterator_valid__batch_size": 1024,
            }
        net = self._net_class(
            LSTMModule,
            module__input_size=input_size,
            module__n_outputs=n_outputs,
            module__hidden_size=params["hidden_size"],
            module__num_layers=params["num_layers"],
            module__dropout=params["dropout"],
            module__bidirectional=params["bidirectional"],
            module__forget_bias=params["forget_bias"],
            module__tokens=self._tokens,
            module__t_max=t_max,
            module__burn_in=params["burn_in"],
            module__lookup=lookup,
            optimizer=params["optimizer"],
            **{f"optimizer__{key}": v for key, v in params["optimizer_kwargs"].items()},
            lr=params["lr"],
            max_epochs=1 if fit is None else fit["epochs"],
            batch_size=params["batch_size"],
            iterator_train=_BatchIterator,
            iterator_train__shuffle=True,
            **split,
            **self._net_kwargs(n_outputs),
            callbacks=callbacks,
            callbacks__print_log=PlainPrintLog(),
            device=str(params["device"]),
            verbose=params["verbose"],
            # Unpickling loads tensors only (the outer pickle still runs code).
            torch_load_kwargs={"weights_only": True},
        )
        return net.initialize()

    def _continue_net(self, params, fit, t_max):
        """Rebuild the net with the current parameters, keeping what it learnt.

        The weights, the optimizer's state (when the optimizer class is
        unchanged) and the history carry over, so a changed ``lr``,
        ``batch_size``, ``verbose`` or ``callbacks`` takes effect under
        ``warm_start``; a changed architecture cannot, and raises.
        """
        old = self.net_
        architecture = ("hidden_size", "num_layers", "bidirectional")
        changed = [
            name
            for name in architecture
            if old.get_params()[f"module__{name}"] != params[name]
        ]
        if changed:
            raise ValueError(
                f"warm_start=True cannot continue a network whose {changed} changed "
                "since it was fitted; set warm_start=False to train a new one."
            )
        # The old module's way of reading tokens: a model fitted before the
        # one-hot way existed looks up whatever its size.
        net = self._build_net(
            params,
            self.input_size_,
            self._n_outputs(),
            t_max=t_max,
            fit=fit,
            lookup=old.module_.embedding is not None,
        )
        net.module_.load_state_dict(old.module_.state_dict())
        # Copies, so that a failed continuation leaves the old net untouched
        # (optimizers update their state tensors in place).
        if type(old.optimizer_) is type(net.optimizer_):
            net.optimizer_.load_state_dict(copy.deepcopy(old.optimizer_.state_dict()))
            for group in net.optimizer_.param_groups:
                group["lr"] = params["lr"]
        net.history = copy.deepcopy(old.history)
        return net

    def _train(self, X, y_encoded, *, params, continuing, seed, fit=None):
        """Train ``net_``: a whole fit, or one epoch if ``fit`` is None."""
        with self._fork_rng(params["device"]):
            torch.manual_seed(seed)
            t_max = _longest(X)
            if continuing:
                self.net_ = self._continue_net(params, fit, t_max)
            else:
                self.net_ = self._build_net(
                    params, self._input_size(X), self._n_outputs(), t_max=t_max, fit=fit
                )
                mean_step = self.net_.module_.mean_step
                mean_step.copy_(torch.from_numpy(self._mean_step(X, len(mean_step))))
            epochs_before = len(self.net_.history)
            try:
                self.net_.partial_fit(
                    X, y_encoded, epochs=1 if fit is None else fit["epochs"]
                )
            except RuntimeError as exc:
                # e.g. Adam's step size overflowing float32 for an absurd lr.
                if "overflow" not in str(exc):
                    raise
                raise FloatingPointError(
                    f"Training overflowed ({exc}). Try a smaller lr (now "
                    f"{params['lr']})."
                ) from exc
        # The split referred to the training data: keep none of it in the model
        # (nor in its pickle).
        self.net_.train_split = None
        for key in ("iterator_train__rows", "iterator_valid__rows"):
            self.net_.__dict__.pop(key, None)
        self.n_iter_ = len(self.net_.history) - epochs_before
        self.batch_size_, self.lr_ = params["batch_size"], params["lr"]
        self.early_stopping_ = fit is not None and fit["validation"] is not None
        self._set_curves(validated=fit is not None and fit["validation"] is not None)
        interrupted = dict(self.net_.callbacks_)["keep_last_epoch"].interrupted_epoch_
        if interrupted is not None:
            warnings.warn(
                f"Training was interrupted during epoch {interrupted}; the model "
                f"keeps the weights after epoch {interrupted - 1} (the last "
                "finished one).",
                UserWarning,
                # user code -> fit (keep_state_on_error) -> fit -> _train
                stacklevel=4,
            )
        return self

    def _set_curves(self, *, validated):
        """Set the MLP estimators' attributes from the net's history."""
        history = self.net_.history
        key = f"valid_{self._score_key}"
        self.loss_curve_ = [float(row["train_loss"]) for row in history]
        if validated:
            self.validation_scores_ = [float(row[key]) for row in history if key in row]
            self.best_validation_score_ = max(self.validation_scores_)
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_)

    def _plan_fit(self, y_encoded, params, split_seed):
        """Return the fit descriptor for ``_train``.

        Decides whether to hold out a validation set (``early_stopping``),
        draws it (stratified where the subclass says so), and sets the epoch
        budget (``max_epochs``) and the loss of the prior.
        """
        n_samples = len(y_encoded)
        early = params["early_stopping"]
        n_valid = int(np.ceil(params["validation_fraction"] * n_samples))
        problem = self._hold_out_problem(y_encoded, n_valid, params)
        if early == "auto":
            early = n_samples >= _AUTO_EARLY_STOPPING_SAMPLES and problem is None
        elif early and problem is not None:
            raise ValueError(
                f"early_stopping=True needs a {self._hold_out_kind}: {problem}. "
                "Change validation_fraction, pass more data or set "
                "early_stopping=False."
            )
        train_rows = validation = None
        if early:
            train_rows, valid_rows = train_test_split(
                np.arange(n_samples),
                test_size=n_valid,
                stratify=self._stratify(y_encoded, n_valid),
                random_state=split_seed,
            )
            # Row numbers, not copies: a copy of the training part would
            # double the memory of a large X.  Sorted, for reading in order.
            train_rows.sort()
            validation = np.sort(valid_rows)
            y_train = y_encoded[train_rows]
        else:
            y_train = y_encoded
        batch_size = _resolve_batch_size(params, len(y_train))
        steps_per_epoch = -(-len(y_train) // batch_size)
        epochs = params["max_epochs"]
        if epochs == "auto":
            epochs = max(_AUTO_MIN_EPOCHS, -(-_AUTO_STEPS // steps_per_epoch))
        patience, lr_factor = params["n_iter_no_change"], _LR_FACTOR
        if patience == "auto":
            patience = _AUTO_PATIENCE
        if validation is None:
            # Stopping on the training loss (see _no_hold_out_rule).
            lr_factor, patience_steps = self._no_hold_out_rule
            if params["n_iter_no_change"] == "auto":
                patience = max(patience, -(-patience_steps // steps_per_epoch))
        return {
            "epochs": epochs,
            "train_rows": train_rows,
            "validation": validation,
            "prior_loss": self._prior_loss(y_train),
            "patience": patience,
            "lr_factor": lr_factor,
        }

    def _fit(self, X, y):
        """Validate and train for :meth:`fit` (the subclass wraps it)."""
        params = self._check_params()
        _check_y_given(self, y)
        continuing = params["warm_start"] and hasattr(self, "net_")
        previous = (
            (
                getattr(self, "n_features_in_", None),
                self.input_size_,
                self._target_signature(),
            )
            if continuing
            else None
        )
        X, y = self._validate_sequences(X, y, reset=True)
        y = self._fit_targets(y, continuing=continuing)
        current = (
            getattr(self, "n_features_in_", None),
            self._input_size(X),
            self._target_signature(),
        )
        # A length of None (sequences of different lengths) matches any.
        if continuing and (
            previous[1:] != current[1:]
            or (None not in (previous[0], current[0]) and previous[0] != current[0])
        ):
            raise ValueError(
                "warm_start=True continues the fitted network, so X must keep its "
                f"(length, input size) {previous[:2]} and y its "
                f"{self._target_description} {previous[2]}; got {current[:2]} and "
                f"{current[2]}. Set warm_start=False to start anew."
            )
        self.input_size_ = current[1]
        seed, split_seed = self._seeds()
        y_encoded = self._encode_targets(y)
        fit = self._plan_fit(y_encoded, params, split_seed)
        fit.update(X=X, y=y_encoded)
        return self._train(
            X, y_encoded, params=params, continuing=continuing, seed=seed, fit=fit
        )

    def _partial_fit(self, X, y, **target_kwargs):
        """Validate and train one epoch for :meth:`partial_fit`.

        ``target_kwargs`` go to the subclass's ``_partial_fit_targets``.
        """
        params = self._check_params()
        _check_y_given(self, y)
        first = not hasattr(self, "net_")
        X, y = self._validate_sequences(X, y, reset=first)
        if isinstance(X, RaggedSequences):
            # Trained on sequences of different lengths, the model has no
            # length to hold arrays to, as after a fit on them.
            forget_fitted_length(self)
        y = self._partial_fit_targets(y, first=first, **target_kwargs)
        if first:
            self.input_size_ = self._input_size(X)
        _resolve_batch_size(params, len(X))
        return self._train(
            X,
            self._encode_targets(y),
            params=params,
            continuing=not first,
            seed=self._seeds()[0],
        )

    # -------------------------------------------------------------- prediction

    def _forward_blocks(self, X):
        """Validate X; return its length and an iterator over its blocks.

        The iterator yields ``(rows, outputs)``: the rows of X a block covers
        and their float64 CPU outputs (:func:`~sklearn_echo._prediction.
        predict_blocks`).  Callers reduce each block at once, so no per-block
        output is kept.
        """
        check_is_fitted(self)
        X, _ = self._validate_sequences(X, reset=False)
        return len(X), predict_blocks(self.net_.module_, X)

    # ----------------------------------------------------------------- display

    def summary(self):
        """Describe the fitted network like Keras' ``model.summary()``.

        Returns
        -------
        text : str
            One line per layer with its output shape and number of parameters,
            then the totals.  torch's LSTM holds two bias vectors (``bias_ih``
            and ``bias_hh``) where Keras holds one, so an ``LSTM(25)`` on 100
            inputs has 12,700 parameters here and 12,600 in Keras.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_echo import LSTMClassifier
        >>> X = np.eye(100, dtype=np.float32)[np.arange(200).reshape(4, 50) % 100]
        >>> clf = LSTMClassifier(max_epochs=1, random_state=0).fit(X, [0, 1, 2, 3])
        >>> print(clf.summary())
        Layer (type)          Output Shape          Param #
        ===================================================
        lstm (LSTM)           (None, 25)             12,700
        head (Linear)         (None, 4)                 104
        ===================================================
        Total params: 12,804
        Trainable params: 12,804
        Non-trainable params: 0
        Input shape: (None, 50, 100)
        """
        check_is_fitted(self)
        return self.net_.module_.summary(getattr(self, "n_features_in_", None))


def _longest(X):
    """Return the length of the longest sequence of validated ``X``."""
    if isinstance(X, RaggedSequences):
        return int(X.lengths.max())
    return X.shape[1]


def _check_y_given(estimator, y):
    """Raise scikit-learn's error for a supervised fit without ``y``."""
    if y is None:
        raise ValueError(
            f"This {type(estimator).__name__} estimator requires y to be passed, "
            "but the target y is None."
        )


def _resolve_batch_size(params, n_samples):
    """Resolve ``batch_size='auto'`` and ``lr='auto'`` in ``params``.

    Returns the batch size; see ``_AUTO_BATCH_STEPS`` and ``_AUTO_LR``.
    """
    if params["batch_size"] == "auto":
        params["batch_size"] = min(
            _AUTO_BATCH, max(_AUTO_BATCH_MIN, -(-n_samples // _AUTO_BATCH_STEPS))
        )
    if params["lr"] == "auto":
        params["lr"] = _AUTO_LR * (params["batch_size"] / _AUTO_BATCH) ** 0.5
    return params["batch_size"]


def _check_auto(value, name, keyword, check, expected):
    """Return ``keyword`` if ``value`` is that string, else ``check(value)``."""
    if isinstance(value, str):
        if value == keyword:
            return keyword
        raise ValueError(f"{name} must be {expected}, got {value_repr(value)}.")
    return check(value)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value_repr(value)}.")
    return bool(value)


def _check_callbacks(callbacks):
    """Return the user's callbacks as a list, checking each is a skorch callback."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            f"callbacks must be None or a list of skorch callbacks, got {callbacks!r}."
        )
    for item in callbacks:
        callback = item[1] if isinstance(item, tuple) and len(item) == 2 else item
        is_callback = isinstance(callback, Callback) or (
            isinstance(callback, type) and issubclass(callback, Callback)
        )
        if not is_callback or (
            isinstance(item, tuple) and not isinstance(item[0], str)
        ):
            raise TypeError(
                "callbacks must hold skorch callbacks or (name, callback) pairs, "
                f"got {item!r}."
            )
    return list(callbacks)
