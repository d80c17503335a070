"""The core every LSTM estimator of sklearn_echo shares: build, train, record.

As scikit-learn's ``BaseMultilayerPerceptron`` serves ``MLPClassifier`` and
``MLPRegressor``, :class:`BaseLSTMEstimator` holds what
:class:`~sklearn_echo.LSTMClassifier` and :class:`~sklearn_echo.LSTMRegressor`
have in common: ``fit`` and ``partial_fit`` from checked input to a trained
skorch net (built anew or continued), and the fitted attributes that record
training.  Its policies live beside it, one module each: the parameter
checks (``_params.py``), the fit plan (``_fit_plan.py``), the input forms
(``_inputs.py``), the targets (``_targets.py``) and prediction
(``_prediction.py``); the docs' "How the code is built" draws the map.
"""

import copy
from abc import ABC, abstractmethod

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_is_fitted,
)
from skorch.dataset import Dataset
from skorch.helper import predefined_split

from sklearn_echo._callbacks import PlainPrintLog, training_callbacks
from sklearn_echo._fit_plan import LSTM_RECIPE, plan_fit, plan_partial_fit
from sklearn_echo._inputs import StepInput
from sklearn_echo._module import LSTMModule, check_network_size
from sklearn_echo._net import _BatchIterator
from sklearn_echo._params import (
    LSTM_PARAMETERS,
    NOT_DECAYED,
    check_params,
    optimizer_arguments,
)
from sklearn_echo._prediction import predict_blocks
from sklearn_echo._ragged import (
    RaggedSequences,
    forget_fitted_length,
)
from sklearn_echo._validation import warn_at_caller
from sklearn_echo._weights import (
    RowWeights,
    check_sample_weight,
    class_weight_of_rows,
    combine,
)


class BaseLSTMEstimator(BaseEstimator, ABC):
    """Base class of the LSTM estimators; not for direct use.

    The parameters are documented on :class:`~sklearn_echo.LSTMClassifier`
    and :class:`~sklearn_echo.LSTMRegressor`.  A subclass names its targets
    (``_target_kind``, a class of :mod:`sklearn_echo._targets`) and its
    input form (``_input_form``, :mod:`sklearn_echo._inputs`), and
    declares :meth:`fit`, :meth:`partial_fit` and its prediction methods.
    """

    # What the estimator learns (sklearn_echo._targets); fit keeps the fitted
    # targets object as ``_targets``.
    _target_kind = None

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
        optimizer="adamw",
        weight_decay=0.0,
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
        self.weight_decay = weight_decay
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.device = device
        self.verbose = verbose
        self.warm_start = warm_start
        self.random_state = random_state

    # What the estimator reads (sklearn_echo._inputs): real-valued steps;
    # TokenLSTMClassifier reads integer tokens.
    _input_form = StepInput()
    # The parameters and their checks (sklearn_echo._params).
    _parameter_table = LSTM_PARAMETERS
    # The torch module (sklearn_echo._module), the parameters that shape it
    # (warm_start cannot change them), and the training recipe that the
    # 'auto' values stand for (sklearn_echo._fit_plan).
    _module_class = LSTMModule
    _architecture = ("hidden_size", "num_layers", "bidirectional")
    _recipe = LSTM_RECIPE
    # The parameters that weight_decay leaves alone (patterns of their names).
    _not_decayed = NOT_DECAYED

    def _module_kwargs(self, params, *, input_size, n_outputs, t_min, t_max, lookup):
        """Return the module's keyword arguments for ``params``.

        ``t_min`` and ``t_max`` are the shortest and the longest training
        sequence (``t_max`` is chrono's time scale), ``lookup`` how a token
        module reads its tokens (None: its choice).
        """
        return {
            "input_size": input_size,
            "n_outputs": n_outputs,
            "hidden_size": params.hidden_size,
            "num_layers": params.num_layers,
            "dropout": params.dropout,
            "bidirectional": params.bidirectional,
            "forget_bias": params.forget_bias,
            "tokens": self._input_form.tokens,
            "t_max": t_max,
            "burn_in": params.burn_in,
            "lookup": lookup,
        }

    def _check_network_size(self, params, input_size, n_outputs):
        """Refuse a network too large for memory, before torch allocates it."""
        check_network_size(
            input_size,
            n_outputs,
            hidden_size=params.hidden_size,
            num_layers=params.num_layers,
            bidirectional=params.bidirectional,
            burn_in=params.burn_in,
            tokens=self._input_form.tokens,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # y may be (n_samples, k): k targets, read by one network.
        tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------------------------ checks

    @abstractmethod
    def fit(self, X, y, sample_weight=None):
        """Train on ``X, y``: the subclass documents it and calls ``_fit``."""

    @abstractmethod
    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch: the subclass documents it and calls ``_partial_fit``."""

    def _check_params(self):
        """Check the parameters (``_parameter_table``); return them converted."""
        return check_params(self, self._parameter_table)

    def _validate_sequences(self, X, y=None, *, reset):
        """Validate X (and y's shape) through the estimator's input form."""
        return self._input_form.validate(self, X, y, reset=reset)

    # ---------------------------------------------------------------- training

    def _seeds(self):
        """Return the seeds of torch (weights, order, dropout) and of the hold-out."""
        rng = check_random_state(self.random_state)
        return tuple(int(rng.randint(np.iinfo(np.int32).max)) for _ in range(2))

    def _fork_rng(self, device):
        if device.type in ("cuda", "mps"):
            return torch.random.fork_rng(devices=[device], device_type=device.type)
        return torch.random.fork_rng(devices=[])

    def _build_net(self, params, plan, data, *, input_size, t_min, t_max, lookup=None):
        """Build and initialise the skorch net for ``plan`` on ``data`` (X, y).

        ``t_min`` and ``t_max`` are the shortest and the longest training
        sequence (see :meth:`_module_kwargs`); ``lookup`` how a token module
        reads tokens (``LSTMModule``'s).
        """
        n_outputs = self._targets.n_logits
        module_kwargs = self._module_kwargs(
            params,
            input_size=input_size,
            n_outputs=n_outputs,
            t_min=t_min,
            t_max=t_max,
            lookup=lookup,
        )
        self._check_network_size(params, input_size, n_outputs)
        split = {"train_split": None, "callbacks__valid_loss": None}
        if plan.holds_out:
            # The hold-out reads rows of the same arrays: no copies.
            split = {
                "train_split": predefined_split(Dataset(*data)),
                "iterator_valid": _BatchIterator,
                "iterator_valid__rows": plan.valid_rows,
                "iterator_valid__batch_size": 1024,
                "iterator_valid__weights": plan.weights,
            }
        if plan.train_rows is not None:
            # The hold-out's complement, or the rows of non-zero weight.
            split["iterator_train__rows"] = plan.train_rows
        if plan.weights is not None:
            split["iterator_train__weights"] = plan.weights
        optimizer, optimizer_kwargs = optimizer_arguments(params, self._not_decayed)
        net = self._target_kind.net_class(
            self._module_class,
            **{f"module__{name}": value for name, value in module_kwargs.items()},
            optimizer=optimizer,
            **{f"optimizer__{key}": v for key, v in optimizer_kwargs.items()},
            lr=plan.lr,
            max_epochs=plan.epochs,
            batch_size=plan.batch_size,
            iterator_train=_BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__length_sorted=plan.length_sorted,
            **split,
            **self._targets.net_kwargs(),
            callbacks=training_callbacks(self._targets, params, plan),
            callbacks__print_log=PlainPrintLog(),
            device=str(params.device),
            verbose=params.verbose,
            # Unpickling loads tensors only (the outer pickle still runs code).
            torch_load_kwargs={"weights_only": True},
        )
        return net.initialize()

    def _continue_net(self, params, plan, data, t_min, t_max):
        """Rebuild the net with the current parameters, keeping what it learnt.

        The weights, the optimizer's state (when the optimizer class is
        unchanged) and the history carry over, so a changed ``lr``,
        ``batch_size``, ``verbose`` or ``callbacks`` takes effect under
        ``warm_start``; a changed architecture cannot, and raises.
        """
        old = self.net_
        changed = [
            name
            for name in self._architecture
            if old.get_params()[f"module__{name}"] != getattr(params, name)
        ]
        if changed:
            raise ValueError(
                f"warm_start=True cannot continue a network whose {changed} changed "
                "since it was fitted; set warm_start=False to train a new one."
            )
        net = self._build_net(
            params,
            plan,
            data,
            input_size=self.input_size_,
            t_min=t_min,
            t_max=t_max,
            lookup=getattr(old.module_, "embedding", None) is not None,
        )
        net.module_.load_state_dict(old.module_.state_dict())
        # Copies, so that a failed continuation leaves the old net untouched
        # (optimizers update their state tensors in place).
        # (the same class and parameter groups: weight_decay turned on or off
        # regroups the parameters, and the old state cannot follow).
        old_groups = old.optimizer_.param_groups
        new_groups = net.optimizer_.param_groups
        if type(old.optimizer_) is type(net.optimizer_) and [
            len(group["params"]) for group in old_groups
        ] == [len(group["params"]) for group in new_groups]:
            current = [
                {key: group[key] for key in ("lr", "weight_decay") if key in group}
                for group in new_groups
            ]
            net.optimizer_.load_state_dict(copy.deepcopy(old.optimizer_.state_dict()))
            # load_state_dict also brought back the old lr and weight decay.
            for group, values in zip(net.optimizer_.param_groups, current, strict=True):
                group.update(values)
        net.history = copy.deepcopy(old.history)
        return net

    def _train(self, X, y_encoded, *, params, plan, weights, continuing, seed):
        """Train ``net_`` as ``plan`` says: a whole fit, or one epoch.

        ``weights`` (:class:`~sklearn_echo._weights.RowWeights`) weight the
        burn-in's mean step; the plan holds what else they decide.
        """
        with self._fork_rng(params.device):
            torch.manual_seed(seed)
            t_min, t_max = _length_range(X, weights.kept)
            if continuing:
                self.net_ = self._continue_net(
                    params, plan, (X, y_encoded), t_min, t_max
                )
            else:
                self.net_ = self._build_net(
                    params,
                    plan,
                    (X, y_encoded),
                    input_size=self._input_form.input_size(self, X),
                    t_min=t_min,
                    t_max=t_max,
                )
                mean_step = getattr(self.net_.module_, "mean_step", None)
                if mean_step is not None:
                    step = self._input_form.mean_step(
                        X, len(mean_step), weights.per_row(len(X))
                    )
                    mean_step.copy_(torch.from_numpy(step))
            epochs_before = len(self.net_.history)
            try:
                self.net_.partial_fit(X, y_encoded, epochs=plan.epochs)
            except RuntimeError as exc:
                # e.g. Adam's step size overflowing float32 for an absurd lr.
                if "overflow" not in str(exc):
                    raise
                raise FloatingPointError(
                    f"Training overflowed ({exc}). Try a smaller lr (now {plan.lr})."
                ) from exc
        # The split referred to the training data: keep none of it in the model
        # (nor in its pickle).
        self.net_.train_split = None
        for key in (
            "iterator_train__rows",
            "iterator_valid__rows",
            "iterator_train__weights",
            "iterator_valid__weights",
        ):
            self.net_.__dict__.pop(key, None)
        self.device_ = str(self.net_.device)
        self.n_iter_ = len(self.net_.history) - epochs_before
        self.batch_size_, self.lr_ = plan.batch_size, plan.lr
        self.early_stopping_ = plan.holds_out
        self._set_curves(validated=plan.holds_out)
        interrupted = dict(self.net_.callbacks_)["keep_last_epoch"].interrupted_epoch_
        if interrupted is not None:
            warn_at_caller(
                f"Training was interrupted during epoch {interrupted}; the model "
                f"keeps the weights after epoch {interrupted - 1} (the last "
                "finished one).",
                UserWarning,
            )
        return self

    def _set_curves(self, *, validated):
        """Set the MLP estimators' attributes from the net's history."""
        history = self.net_.history
        key = f"valid_{self._target_kind.score_key}"
        self.loss_curve_ = [float(row["train_loss"]) for row in history]
        if validated:
            self.validation_scores_ = [float(row[key]) for row in history if key in row]
            # None after a fit interrupted in its first epoch.
            self.best_validation_score_ = max(self.validation_scores_, default=None)
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_, default=None)

    def _fit(self, X, y, sample_weight=None):
        """Validate and train for :meth:`fit` (the subclass wraps it)."""
        params = self._check_params()
        _check_y_given(self, y)
        continuing = params.warm_start and hasattr(self, "net_")
        previous = (
            (
                getattr(self, "n_features_in_", None),
                self.input_size_,
                self._targets.signature(),
            )
            if continuing
            else None
        )
        X, y = self._validate_sequences(X, y, reset=True)
        sample_weight = check_sample_weight(sample_weight, len(X))
        kind, name = self._target_kind, type(self).__name__
        y = kind.check(y, name)
        targets = kind.fit(
            y,
            name,
            previous=self._targets if continuing else None,
            weights=RowWeights.of(sample_weight),
        )
        self._set_targets(targets)
        current = (
            getattr(self, "n_features_in_", None),
            self._input_form.input_size(self, X),
            targets.signature(),
        )
        # A length of None (sequences of different lengths) matches any.
        if continuing and (
            previous[1:] != current[1:]
            or (None not in (previous[0], current[0]) and previous[0] != current[0])
        ):
            raise ValueError(
                "warm_start=True continues the fitted network, so X must keep its "
                f"(length, input size) {previous[:2]} and y its "
                f"{kind.description} {previous[2]}; got {current[:2]} and "
                f"{current[2]}. Set warm_start=False to start anew."
            )
        self.input_size_ = current[1]
        seed, split_seed = self._seeds()
        y_encoded = targets.encode(y, name)
        weights = self._row_weights(params, sample_weight, y, y_encoded)
        plan = plan_fit(
            params,
            targets,
            y_encoded,
            split_seed,
            kind.no_hold_out_rule,
            weights,
            self._recipe,
        )
        return self._train(
            X,
            y_encoded,
            params=params,
            plan=plan,
            weights=weights,
            continuing=continuing,
            seed=seed,
        )

    def _row_weights(self, params, sample_weight, y, y_encoded):
        """Return the rows' weights: ``sample_weight`` times the class weights."""
        class_weight = getattr(params, "class_weight", None)
        class_weights = None
        if class_weight is not None:
            class_weights = class_weight_of_rows(
                class_weight, y, y_encoded, self._targets.classes
            )
        return RowWeights.of(combine(sample_weight, class_weights))

    def _partial_fit(self, X, y, sample_weight=None, **target_kwargs):
        """Validate and train one epoch for :meth:`partial_fit`.

        ``target_kwargs`` go to the targets' ``partial_fit`` (the
        classifier's ``classes``).
        """
        params = self._check_params()
        if getattr(params, "class_weight", None) == "balanced":
            # As SGDClassifier.partial_fit: one batch's class frequencies are
            # not the data's.
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: the "
                "classes of one call are not those of the data. Compute the "
                "weights on the whole training set (or a large enough sample of "
                "it) with sklearn.utils.class_weight.compute_class_weight("
                "'balanced', classes=classes, y=y) and pass them as a dict "
                "{label: weight} in class_weight."
            )
        _check_y_given(self, y)
        first = not hasattr(self, "net_")
        X, y = self._validate_sequences(X, y, reset=first)
        if isinstance(X, RaggedSequences):
            # Trained on sequences of different lengths, the model has no
            # length to hold arrays to, as after a fit on them.
            forget_fitted_length(self)
        sample_weight = check_sample_weight(sample_weight, len(X))
        kind, name = self._target_kind, type(self).__name__
        y = kind.check(y, name)
        previous = None if first else self._targets
        self._set_targets(
            kind.partial_fit(
                y,
                name,
                previous,
                weights=RowWeights.of(sample_weight),
                **target_kwargs,
            )
        )
        if first:
            self.input_size_ = self._input_form.input_size(self, X)
        y_encoded = self._targets.encode(y, name)
        weights = self._row_weights(params, sample_weight, y, y_encoded)
        return self._train(
            X,
            y_encoded,
            params=params,
            plan=plan_partial_fit(params, len(X), weights, self._recipe),
            weights=weights,
            continuing=not first,
            seed=self._seeds()[0],
        )

    def _set_targets(self, targets):
        """Keep fitted ``targets``, and set the attributes that describe them."""
        self._targets = targets
        for name, value in targets.fitted_attributes().items():
            setattr(self, name, value)

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

    def __setstate__(self, state):
        super().__setstate__(state)
        # skorch's unpickling maps a network of a device this machine lacks to
        # the CPU (_net's __setstate__): device_ says where it is now.
        if "net_" in self.__dict__:
            self.device_ = str(self.net_.device)

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


def _length_range(X, rows=None):
    """Return the shortest and the longest sequence's length of validated ``X``.

    Of ``rows`` only, if given.
    """
    if isinstance(X, RaggedSequences):
        lengths = X.lengths if rows is None else X.lengths[rows]
        return int(lengths.min()), int(lengths.max())
    return X.shape[1], X.shape[1]


def _check_y_given(estimator, y):
    """Raise scikit-learn's error for a supervised fit without ``y``."""
    if y is None:
        raise ValueError(
            f"This {type(estimator).__name__} estimator requires y to be passed, "
            "but the target y is None."
        )
