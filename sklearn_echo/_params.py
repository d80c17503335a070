"""The estimators' parameters: one table of checks, read once per fit.

In the spirit of scikit-learn's ``_parameter_constraints``: each parameter
names one check, which either raises a ``TypeError``/``ValueError`` that
names the parameter and what it expects, or returns the value converted for
torch (numpy scalars, as a grid search over ``np.arange`` passes, become
Python numbers; optimizer names become classes; device strings devices,
``'auto'`` the one this machine has).
:func:`check_params` returns the converted values as a :class:`Params`, an
immutable named tuple that nothing changes afterwards; what ``'auto'`` stands
for is resolved by the fit plan (:mod:`sklearn_echo._fit_plan`).
"""

from collections import namedtuple
from functools import lru_cache, partial

import numpy as np
import torch
from skorch.callbacks import Callback

from sklearn_echo._validation import (
    INT64_MAX,
    check_float,
    check_handle_unknown,
    check_int,
    value_repr,
)

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "sgd": torch.optim.SGD,
}
# The named optimizers run torch's fused kernel where torch has one: one C++
# call per step instead of a Python loop over the parameters (the user guide's
# "Training that lands" has the measurement).  An optimizer class passed by
# the user is built with torch's defaults.
_FUSED = ("adam", "adamw", "sgd")


def _integer(value, name, **bounds):
    return check_int(value, name, **bounds)


def _real(value, name, **bounds):
    return check_float(value, name, **bounds)


def _boolean(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value_repr(value)}.")
    return bool(value)


def _or_keyword(keyword, check, expected):
    """Return a check that also accepts the string ``keyword`` (``'auto'``)."""

    def check_or_keyword(value, name):
        if isinstance(value, str):
            if value == keyword:
                return keyword
            raise ValueError(f"{name} must be {expected}, got {value_repr(value)}.")
        return check(value, name)

    return check_or_keyword


def _or_none(check):
    """Return a check that also accepts None."""

    def check_or_none(value, name):
        return None if value is None else check(value, name)

    return check_or_none


def _verbosity(value, name):
    # verbose=True is accepted, as in scikit-learn's estimators.
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    return check_int(value, name, min_val=0)


def _callbacks(callbacks, name):
    """Return the user's callbacks as a list, checking each is a skorch callback."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            f"{name} must be None or a list of skorch callbacks, got {callbacks!r}."
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
                f"{name} must hold skorch callbacks or (name, callback) pairs, "
                f"got {item!r}."
            )
    return list(callbacks)


def _optimizer(value, name):
    """Return the optimizer class and its keyword arguments."""
    expected = f"one of {sorted(OPTIMIZERS)} or a torch optimizer class"
    if isinstance(value, str):
        try:
            optimizer = OPTIMIZERS[value.lower()]
        except KeyError:
            raise ValueError(f"{name} must be {expected}, got {value!r}.") from None
        return optimizer, {"fused": True} if value.lower() in _FUSED else {}
    if isinstance(value, type) and issubclass(value, torch.optim.Optimizer):
        return value, {}
    raise TypeError(f"{name} must be {expected}, got {value!r}.")


# Weights that weight_decay leaves alone: the biases (as MLPClassifier's alpha
# spares its intercepts), whose chrono initialisation sets each unit's memory
# time scale, and the recurrent weights, which carry the memory.  Decaying
# them too cost the LSTM its memory of long recordings: on GunPoint (length
# 150, tuning seeds 300 and 301) weight_decay=1.0 on every weight left the
# fit at chance, on the input and output weights only it scored 0.93.
NOT_DECAYED = ("*bias*", "*weight_hh*")


def optimizer_arguments(params, not_decayed=NOT_DECAYED):
    """Return the optimizer class and its keyword arguments for skorch.

    The named optimizers get ``weight_decay`` always (AdamW's own default is
    0.01); a user's class only when it is not 0.  With weight decay, the
    parameters that match a pattern of ``not_decayed`` (the estimator's:
    :data:`NOT_DECAYED` for the LSTM estimators) form groups of their own
    without it (skorch's ``param_groups``).
    """
    optimizer, kwargs = params.optimizer
    decay = params.weight_decay
    if decay or optimizer in OPTIMIZERS.values():
        kwargs = {**kwargs, "weight_decay": decay}
    if decay:
        kwargs["param_groups"] = [
            (pattern, {"weight_decay": 0.0}) for pattern in not_decayed
        ]
    return optimizer, kwargs


def _mps_available():
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def auto_device():
    """Return what ``device='auto'`` stands for: CUDA, else MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _device(value, name):
    if isinstance(value, str) and value == "auto":
        return auto_device()
    try:
        device = torch.device(value)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"{name} must name a torch device such as 'cpu' or 'cuda', got {value!r}."
        ) from exc
    if device.type not in ("cpu", "cuda", "mps"):
        raise ValueError(
            f"{name} must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', got {value!r}."
        )
    if device.type == "mps" and not _mps_available():
        raise ValueError(
            f"{name}={value!r} was requested, but MPS (Apple's Metal GPU) is not "
            "available on this machine; use device='cpu' or device='auto'."
        )
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"{name}={value!r} was requested, but CUDA is not available on "
                "this machine; use device='cpu'."
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(
                f"{name}={value!r} was requested, but this machine has "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    return device


def _class_weights_of_one_target(value, name):
    """Check a dict of class weights; return it with float weights."""
    if not isinstance(value, dict):
        raise TypeError(
            f"{name} must be a dict of class weights {{label: weight}}, got {value!r}."
        )
    return {
        label: check_float(weight, f"{name}[{value_repr(label)}]", min_val=0.0)
        for label, weight in value.items()
    }


def _class_weight(value, name):
    """None, 'balanced', a dict, or a list of dicts (one per target)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value == "balanced":
            return value
        raise ValueError(
            f"{name} must be None, 'balanced', a dict or a list of dicts, got "
            f"{value!r}."
        )
    if isinstance(value, (list, tuple)):
        return [
            _class_weights_of_one_target(item, f"{name}[{j}]")
            for j, item in enumerate(value)
        ]
    if isinstance(value, dict):
        return _class_weights_of_one_target(value, name)
    raise TypeError(
        f"{name} must be None, 'balanced', a dict or a list of dicts, got {value!r}."
    )


def _handle_unknown(value, name):
    check_handle_unknown(value)
    return value


# The parameters of every LSTM estimator and their checks.
LSTM_PARAMETERS = {
    "hidden_size": partial(_integer, min_val=1),
    "num_layers": partial(_integer, min_val=1),
    "dropout": partial(_real, min_val=0.0, max_val=1.0, include_boundaries="left"),
    "bidirectional": _boolean,
    "forget_bias": _or_keyword(
        "chrono", _or_none(_real), "a real number, 'chrono' or None"
    ),
    "burn_in": partial(_integer, min_val=0),
    "max_epochs": _or_keyword(
        "auto", partial(_integer, min_val=1), "an integer >= 1 or 'auto'"
    ),
    "early_stopping": _or_keyword("auto", _boolean, "a bool or 'auto'"),
    "validation_fraction": partial(
        _real, min_val=0.0, max_val=1.0, include_boundaries="neither"
    ),
    "batch_size": _or_keyword(
        "auto", partial(_integer, min_val=1), "an integer >= 1 or 'auto'"
    ),
    "lr": _or_keyword(
        "auto",
        partial(_real, min_val=0.0, include_boundaries="neither"),
        "a positive real number or 'auto'",
    ),
    "clip_grad_norm": _or_none(
        partial(_real, min_val=0.0, include_boundaries="neither")
    ),
    "tol": partial(_real, min_val=0.0),
    "n_iter_no_change": _or_keyword(
        "auto", partial(_integer, min_val=1), "an integer >= 1 or 'auto'"
    ),
    "verbose": _verbosity,
    "warm_start": _boolean,
    "callbacks": _callbacks,
    "optimizer": _optimizer,
    "weight_decay": partial(_real, min_val=0.0),
    "device": _device,
}


def _positive_ints(value, name):
    """Return a non-empty list or tuple of integers >= 1 as a tuple."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(
            f"{name} must be a tuple of integers >= 1, got {value_repr(value)}."
        )
    if len(value) == 0:
        raise ValueError(f"{name} must hold at least one integer, got {value!r}.")
    return tuple(
        check_int(item, f"{name}[{i}]", min_val=1) for i, item in enumerate(value)
    )


# The LSTM-FCN estimators': the LSTM branch's (no burn-in), and the
# convolution blocks'.
FCN_PARAMETERS = {
    **{name: check for name, check in LSTM_PARAMETERS.items() if name != "burn_in"},
    "filters": _positive_ints,
    "kernel_sizes": _positive_ints,
}
# The classifiers': the LSTM's, and the class weights.
CLASSIFIER_PARAMETERS = {**LSTM_PARAMETERS, "class_weight": _class_weight}
FCN_CLASSIFIER_PARAMETERS = {**FCN_PARAMETERS, "class_weight": _class_weight}
# TokenLSTMClassifier's: the classifier's, and how tokens are read.
TOKEN_PARAMETERS = {
    **CLASSIFIER_PARAMETERS,
    "n_features": _or_none(partial(_integer, min_val=1, max_val=INT64_MAX)),
    "handle_unknown": _handle_unknown,
}


@lru_cache
def _params_type(names):
    return namedtuple("Params", names)


def check_params(estimator, table):
    """Check every parameter of ``estimator`` named in ``table``.

    Returns
    -------
    params : Params
        A named tuple of the converted values, one field per entry of
        ``table`` (``params.optimizer`` is the pair ``(class, kwargs)``).
    """
    return _params_type(tuple(table))(
        **{name: check(getattr(estimator, name), name) for name, check in table.items()}
    )
