"""The file format of :mod:`sklearn_echo.io`: typed JSON and safetensors in a zip.

A file is a zip archive of exactly two members:

``model.json``
    The format's name and version, the versions of the packages that wrote
    it, and the object: its class (by name, from an allow-list), its
    parameters (``get_params(deep=False)``) and its fitted attributes, in a
    typed JSON encoding (below).
``tensors.safetensors``
    Every numeric array and tensor of the object (weights, optimizer state,
    ``classes_`` of numbers, ...), each under the path of its place in the
    object; ``model.json`` names it with its dtype and shape, which loading
    checks.

The typed encoding: ``None``, booleans, strings, ints and finite floats are
JSON's own; a list is a JSON list; everything else is a JSON object with one
key starting with ``$`` that says what it is (``{"$tuple": [...]}``,
``{"$dict": [[key, value], ...]}``, ``{"$numpy": "float32", "value": 0.5}``,
``{"$array": "<tensor name>", "dtype": ..., "shape": ...}``, ...).  Classes
appear only by name, and only names in this module's allow-lists are ever
looked up; nothing from the file is imported, evaluated or unpickled.

A fitted LSTM estimator holds a skorch net (``net_``); it is stored as the
net's constructor parameters that differ from skorch's defaults (classes only
from :data:`NET_CLASSES`, callbacks only from :func:`_callback_classes`), the
module's and the optimizer's state dicts, and the history, and rebuilt on
load by constructing and initialising the net with those parameters, then
loading the state dicts into it.  Continuing to train it (``partial_fit``,
``warm_start``) reads exactly what ``BaseLSTMEstimator._continue_net`` reads:
the architecture, the weights, the optimizer's state and the history.
"""

import importlib
import inspect
import json
import math
import os
import re
import sys
import warnings
import zipfile
from io import BytesIO
from types import MappingProxyType

import numpy as np
import sklearn
import skorch
import torch
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback, ProgressBar
from skorch.exceptions import DeviceWarning
from skorch.history import History

from sklearn_echo import _callbacks
from sklearn_echo._dependencies import release
from sklearn_echo._fcn_module import LSTMFCNModule
from sklearn_echo._module import LSTMModule, MultiOutputCrossEntropy
from sklearn_echo._net import _BatchIterator, _ClassifierNet, _RegressorNet
from sklearn_echo._params import OPTIMIZERS
from sklearn_echo._targets import ClassTargets, RealTargets

FORMAT_NAME = "sklearn_echo.io"
# Raised when a file of this version could not be read by an older reader.
FORMAT_VERSION = 1
JSON_MEMBER = "model.json"
TENSORS_MEMBER = "tensors.safetensors"
# The most model.json may unpack to: a zip bomb stops here.  A history of a
# million batches takes about 60 MiB.
_MAX_JSON_BYTES = 256 * 2**20
# Zip entries get a fixed date, so that one model always gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_NUMERIC_DTYPES = frozenset(
    [
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
    ]
)
# Types a parameter may name (OneHotSequenceTransformer's ``dtype``).
_TYPES = {
    **{f"numpy.{name}": np.dtype(name).type for name in _NUMERIC_DTYPES},
    "int": int,
    "float": float,
    "bool": bool,
}
_TYPE_NAMES = {value: name for name, value in _TYPES.items()}

# The classes a skorch net's parameters may name: the module, losses,
# optimizers and data iterators the estimators build their nets with.
NET_CLASSES = {
    "sklearn_echo._module.LSTMModule": LSTMModule,
    "sklearn_echo._fcn_module.LSTMFCNModule": LSTMFCNModule,
    "sklearn_echo._module.MultiOutputCrossEntropy": MultiOutputCrossEntropy,
    "sklearn_echo._net._BatchIterator": _BatchIterator,
    "torch.nn.CrossEntropyLoss": torch.nn.CrossEntropyLoss,
    "torch.nn.MSELoss": torch.nn.MSELoss,
    "torch.utils.data.DataLoader": torch.utils.data.DataLoader,
    "skorch.dataset.Dataset": skorch.dataset.Dataset,
    **{f"torch.optim.{cls.__name__}": cls for cls in OPTIMIZERS.values()},
}
_NET_CLASS_NAMES = {cls: name for name, cls in NET_CLASSES.items()}
# The skorch nets an estimator's ``net_`` may be.
NETS = {
    "sklearn_echo._net._ClassifierNet": _ClassifierNet,
    "sklearn_echo._net._RegressorNet": _RegressorNet,
}
# What an LSTM estimator's ``_targets`` may be.
TARGETS = {
    "sklearn_echo._targets.ClassTargets": ClassTargets,
    "sklearn_echo._targets.RealTargets": RealTargets,
}
# Private attributes that an estimator of the package may hold, and what
# they must be.
_PRIVATE_ATTRIBUTES = {"_targets": tuple(TARGETS.values())}
_FITTED_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*_\Z")

PICKLE_ADVICE = (
    "Keep such a model with pickle or joblib instead (and load that only from "
    "sources you trust: loading a pickle runs code)."
)


def _callback_classes():
    """Return the skorch callbacks a stored net may name: the package's own."""
    found = {
        f"{_callbacks.__name__}.{name}": value
        for name, value in vars(_callbacks).items()
        if isinstance(value, type)
        and issubclass(value, Callback)
        and value.__module__ == _callbacks.__name__
    }
    found["skorch.callbacks.ProgressBar"] = ProgressBar
    return found


def estimator_classes():
    """Return the estimator classes that files may name, by name.

    The package's public estimators (every class of ``sklearn_echo.__all__``
    that is a scikit-learn estimator, so a new public estimator is covered)
    and scikit-learn's :class:`~sklearn.pipeline.Pipeline`.
    """
    package = importlib.import_module("sklearn_echo")
    found = {"sklearn.pipeline.Pipeline": Pipeline}
    for name in package.__all__:
        value = getattr(package, name)
        if isinstance(value, type) and issubclass(value, BaseEstimator):
            found[f"sklearn_echo.{name}"] = value
    return found


class BadFileError(Exception):
    """A problem in a file being loaded; ``load`` re-raises it as ValueError."""


def _versions():
    """Return the versions of the packages that write a file."""
    import safetensors

    package = importlib.import_module("sklearn_echo")
    return {
        "sklearn_echo": package.__version__,
        "python": ".".join(map(str, sys.version_info[:3])),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "skorch": skorch.__version__,
        "torch": torch.__version__,
        "safetensors": safetensors.__version__,
    }


def _unstorable(where, value, why):
    return TypeError(
        f"sklearn_echo.io.save cannot store {where} = {_short_repr(value)}: "
        f"{why} {PICKLE_ADVICE}"
    )


def _short_repr(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_default(value, default):
    """Whether ``value`` is the default ``default`` (the same object or value)."""
    if value is default:
        return True
    plain = (bool, int, float, str, type(None))
    return (
        type(value) is type(default)
        and isinstance(value, plain)
        and (value == default or (value != value and default != default))
    )


def _defaults(cls):
    """Return the keyword defaults of ``cls``'s constructors, nearest first."""
    defaults = {}
    for klass in reversed(cls.__mro__):
        init = vars(klass).get("__init__")
        if init is None:
            continue
        for name, parameter in inspect.signature(init).parameters.items():
            if parameter.default is not inspect.Parameter.empty:
                defaults[name] = parameter.default
    return defaults


# --------------------------------------------------------------------- encoding


class Encoder:
    """Turn an object into typed JSON, collecting its arrays for safetensors."""

    def __init__(self):
        self.arrays = {}

    def _array_key(self, where):
        key, n = where, 1
        while key in self.arrays:
            n += 1
            key = f"{where}#{n}"
        return key

    def value(self, value, where, *, net_part=False):
        """Encode a plain value (or an allowed object) found at ``where``."""
        if value is None or type(value) in (bool, str):
            return value
        if type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"$float": repr(value)}
        if type(value) is list:
            return [
                self.value(item, f"{where}[{i}]", net_part=net_part)
                for i, item in enumerate(value)
            ]
        if type(value) is tuple:
            return {
                "$tuple": [
                    self.value(item, f"{where}[{i}]", net_part=net_part)
                    for i, item in enumerate(value)
                ]
            }
        if type(value) is dict:
            return {
                "$dict": [
                    [
                        self._key(key, where),
                        self.value(item, f"{where}.{key}", net_part=net_part),
                    ]
                    for key, item in value.items()
                ]
            }
        if isinstance(value, np.generic):
            return self._numpy_scalar(value, where)
        if isinstance(value, np.ndarray):
            return self._array(value, where)
        if isinstance(value, torch.Tensor):
            return self._tensor(value, where)
        if isinstance(value, np.dtype):
            if value.name not in _NUMERIC_DTYPES:
                raise _unstorable(where, value, "only numeric dtypes can be stored.")
            return {"$dtype": value.name}
        if isinstance(value, type) and value in _TYPE_NAMES:
            return {"$type": _TYPE_NAMES[value]}
        if net_part and isinstance(value, type) and value in _NET_CLASS_NAMES:
            return {"$class": _NET_CLASS_NAMES[value]}
        if net_part and isinstance(value, Callback):
            return self._callback(value, where)
        if isinstance(value, skorch.NeuralNet):
            return self._net(value, where)
        if isinstance(value, BaseEstimator):
            return self.estimator(value, where)
        if isinstance(value, tuple(TARGETS.values())):
            return self._targets(value, where)
        why = (
            "callables and classes are rebuilt by running code, so this format "
            "does not hold them"
            if callable(value)
            else f"this format holds plain values only, not a {type(value).__name__}"
        )
        raise _unstorable(where, value, why + ".")

    def _key(self, key, where):
        if key is None or type(key) in (bool, int, str):
            return key
        if type(key) is float and math.isfinite(key):
            return key
        if isinstance(key, np.generic):
            # Class labels from classes_ (class_weight's keys): typed, so that
            # they load as the same numpy scalars.
            return self._numpy_scalar(key, f"a key of {where}")
        raise _unstorable(
            f"a key of {where}", key, "dict keys must be plain values or numpy scalars."
        )

    def _numpy_scalar(self, value, where):
        name = value.dtype.name
        if name in _NUMERIC_DTYPES:
            return {"$numpy": name, "value": self.value(value.item(), where)}
        if value.dtype.kind == "U":
            return {"$numpy": "str", "value": str(value)}
        raise _unstorable(where, value, f"numpy {name} scalars cannot be stored.")

    def _array(self, array, where):
        kind = array.dtype.kind
        shape = list(array.shape)
        if array.dtype.name in _NUMERIC_DTYPES:
            key = self._array_key(where)
            # (ascontiguousarray alone would make a 0-d array 1-d.)
            stored = np.ascontiguousarray(array, array.dtype.newbyteorder("<"))
            self.arrays[key] = stored.reshape(array.shape)
            return {"$array": key, "dtype": array.dtype.name, "shape": shape}
        if kind == "U":
            return {
                "$str_array": [str(item) for item in array.ravel()],
                "dtype": array.dtype.str,
                "shape": shape,
            }
        if kind == "O":
            items = []
            for i, item in enumerate(array.ravel()):
                if isinstance(item, (list, tuple, dict, np.ndarray)):
                    raise _unstorable(
                        f"{where}[{i}]", item, "object arrays may hold scalars only."
                    )
                items.append(self.value(item, f"{where}[{i}]"))
            return {"$object_array": items, "shape": shape}
        raise _unstorable(where, array, f"arrays of {array.dtype} cannot be stored.")

    def _tensor(self, tensor, where):
        name = _dtype_name(tensor)
        if name not in _NUMERIC_DTYPES:
            raise _unstorable(where, tensor, f"tensors of {name} cannot be stored.")
        array = tensor.detach().cpu().numpy()
        key = self._array_key(where)
        self.arrays[key] = np.ascontiguousarray(array).reshape(array.shape)
        return {"$tensor": key, "dtype": name, "shape": list(array.shape)}

    def estimator(self, estimator, where):
        """Encode an estimator of the allow-list: its class, parameters, state."""
        names = {cls: name for name, cls in estimator_classes().items()}
        cls = type(estimator)
        if cls not in names:
            raise _unstorable(
                where,
                estimator,
                f"{cls.__module__}.{cls.__qualname__} is not among the classes "
                f"this format stores ({', '.join(sorted(names.values()))}).",
            )
        params = estimator.get_params(deep=False)
        if isinstance(estimator, Pipeline) and params.get("memory") is not None:
            raise _unstorable(
                f"{where}.memory",
                params["memory"],
                "a Pipeline's cache is read back with pickle.",
            )
        attributes = {}
        for name, value in vars(estimator).items():
            if name in params:
                continue
            private = _PRIVATE_ATTRIBUTES.get(name)
            if not (_FITTED_NAME.match(name) or private):
                raise _unstorable(
                    f"{where}.{name}",
                    value,
                    "it is neither a parameter nor a fitted attribute (ending "
                    "in '_'), and this format knows nothing of it.",
                )
            attributes[name] = self.value(value, f"{where}.{name}")
        return {
            "$estimator": names[cls],
            "params": {
                name: self.value(value, f"{where}.{name}")
                for name, value in params.items()
            },
            "attributes": attributes,
        }

    def _net(self, net, where):
        names = {cls: name for name, cls in NETS.items()}
        if type(net) not in names or not getattr(net, "initialized_", False):
            raise _unstorable(where, net, "only the package's own fitted nets.")
        defaults = _defaults(type(net))
        params = {
            name: value
            for name, value in net.get_params(deep=False).items()
            if not name.startswith("_")
            and not (name in defaults and _is_default(value, defaults[name]))
        }
        return {
            "$net": names[type(net)],
            "params": {
                name: self.value(value, f"{where}.{name}", net_part=True)
                for name, value in params.items()
            },
            "module_state": self.value(
                dict(net.module_.state_dict()), f"{where}.module_"
            ),
            "optimizer_state": self.value(
                net.optimizer_.state_dict(), f"{where}.optimizer_"
            ),
            "history": self.value(list(net.history), f"{where}.history"),
            "training": bool(net.module_.training),
        }

    def _callback(self, callback, where):
        names = {cls: name for name, cls in _callback_classes().items()}
        cls = type(callback)
        if cls not in names:
            raise _unstorable(where, callback, "only the package's own callbacks.")
        defaults = _defaults(cls)
        params = {
            name: value
            for name, value in callback.get_params(deep=False).items()
            if not (name in defaults and _is_default(value, defaults[name]))
        }
        return {
            "$callback": names[cls],
            "params": {
                name: self.value(value, f"{where}.{name}")
                for name, value in params.items()
            },
        }

    def _targets(self, targets, where):
        names = {cls: name for name, cls in TARGETS.items()}
        return {
            "$targets": names[type(targets)],
            "state": {
                name: self.value(value, f"{where}.{name}")
                for name, value in vars(targets).items()
            },
        }


# --------------------------------------------------------------------- decoding


class Decoder:
    """Rebuild an object from typed JSON and the arrays of its safetensors."""

    def __init__(self, arrays):
        self.arrays = arrays
        self.used = set()

    def value(self, node, where, *, net_part=False):
        """Decode the typed JSON ``node`` found at ``where``."""
        if node is None or type(node) in (bool, str, int, float):
            return node
        if type(node) is list:
            return [
                self.value(item, f"{where}[{i}]", net_part=net_part)
                for i, item in enumerate(node)
            ]
        if type(node) is not dict:
            raise BadFileError(f"{where}: unexpected JSON value {_short_repr(node)}")
        tags = [key for key in node if key.startswith("$")]
        if len(tags) != 1:
            raise BadFileError(
                f"{where}: a JSON object must have exactly one '$' key, got "
                f"{sorted(node)}"
            )
        tag = tags[0]
        decode = self._TAGS.get(tag)
        if decode is None:
            raise BadFileError(f"{where}: unknown entry {tag!r}")
        fields, method, net_only = decode
        if set(node) != {tag, *fields}:
            raise BadFileError(
                f"{where}: {tag} needs the keys {sorted({tag, *fields})}, got "
                f"{sorted(node)}"
            )
        if net_only and not net_part:
            raise BadFileError(f"{where}: {tag} is allowed only in a net's parameters")
        return method(self, node, where, net_part)

    def _float(self, node, where, net_part):
        text = node["$float"]
        if text not in ("nan", "inf", "-inf"):
            raise BadFileError(f"{where}: {text!r} is not a non-finite float")
        return float(text)

    def _tuple(self, node, where, net_part):
        items = node["$tuple"]
        if type(items) is not list:
            raise BadFileError(f"{where}: $tuple must hold a list")
        return tuple(self.value(items, where, net_part=net_part))

    def _dict(self, node, where, net_part):
        items = node["$dict"]
        result = {}
        if type(items) is not list:
            raise BadFileError(f"{where}: $dict must hold a list of pairs")
        for item in items:
            if type(item) is not list or len(item) != 2:
                raise BadFileError(f"{where}: $dict must hold [key, value] pairs")
            key, value = item
            if type(key) is dict and set(key) == {"$numpy", "value"}:
                key = self._numpy(key, f"a key of {where}", net_part)
            elif not (key is None or type(key) in (bool, int, float, str)):
                raise BadFileError(
                    f"{where}: a dict key must be a plain value or a numpy scalar"
                )
            result[key] = self.value(value, f"{where}.{key}", net_part=net_part)
        return result

    def _numpy(self, node, where, net_part):
        name, value = node["$numpy"], node["value"]
        if name == "str" and type(value) is str:
            return np.str_(value)
        if name not in _NUMERIC_DTYPES:
            raise BadFileError(f"{where}: numpy scalars of {name!r} are not allowed")
        value = self.value(value, where)
        if type(value) not in (bool, int, float):
            raise BadFileError(f"{where}: a numpy scalar needs a number")
        try:
            return np.dtype(name).type(value)
        except (OverflowError, ValueError) as exc:
            raise BadFileError(f"{where}: {exc}") from None

    def _shape(self, node, where):
        shape = node["shape"]
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise BadFileError(f"{where}: the shape must be a list of sizes")
        return tuple(shape)

    def _stored(self, key, dtype, shape, where):
        if type(key) is not str or key not in self.arrays:
            raise BadFileError(
                f"{where}: the tensor {key!r} is missing from {TENSORS_MEMBER}"
            )
        if key in self.used:
            raise BadFileError(f"{where}: the tensor {key!r} is named twice")
        self.used.add(key)
        array = self.arrays[key]
        if array.dtype.name != dtype or array.shape != shape:
            raise BadFileError(
                f"{where}: {JSON_MEMBER} declares {dtype} of shape {list(shape)}, "
                f"but the tensor {key!r} in {TENSORS_MEMBER} is "
                f"{array.dtype.name} of shape {list(array.shape)}"
            )
        return array if array.flags.writeable else array.copy()

    def _array(self, node, where, net_part):
        dtype = node["dtype"]
        if dtype not in _NUMERIC_DTYPES:
            raise BadFileError(f"{where}: arrays of {dtype!r} are not allowed")
        return self._stored(node["$array"], dtype, self._shape(node, where), where)

    def _tensor(self, node, where, net_part):
        dtype = node["dtype"]
        if dtype not in _NUMERIC_DTYPES:
            raise BadFileError(f"{where}: tensors of {dtype!r} are not allowed")
        array = self._stored(node["$tensor"], dtype, self._shape(node, where), where)
        return torch.from_numpy(array)

    def _str_array(self, node, where, net_part):
        dtype, items = node["dtype"], node["$str_array"]
        shape = self._shape(node, where)
        if type(dtype) is not str or not re.fullmatch(r"[<>|=]?U\d+", dtype):
            raise BadFileError(f"{where}: {dtype!r} is not a string dtype")
        if type(items) is not list or not all(type(item) is str for item in items):
            raise BadFileError(f"{where}: $str_array must hold a list of strings")
        if len(items) != math.prod(shape):
            raise BadFileError(f"{where}: {len(items)} strings for shape {list(shape)}")
        return np.array(items, dtype=dtype).reshape(shape)

    def _object_array(self, node, where, net_part):
        items, shape = node["$object_array"], self._shape(node, where)
        if type(items) is not list or len(items) != math.prod(shape):
            raise BadFileError(f"{where}: the items do not fill shape {list(shape)}")
        array = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            value = self.value(item, f"{where}[{i}]")
            if isinstance(value, (list, tuple, dict, np.ndarray, torch.Tensor)):
                raise BadFileError(f"{where}[{i}]: object arrays hold scalars only")
            array[i] = value
        return array.reshape(shape)

    def _dtype(self, node, where, net_part):
        name = node["$dtype"]
        if name not in _NUMERIC_DTYPES:
            raise BadFileError(f"{where}: the dtype {name!r} is not allowed")
        return np.dtype(name)

    def _type(self, node, where, net_part):
        name = node["$type"]
        if name not in _TYPES:
            raise BadFileError(f"{where}: the type {name!r} is not allowed")
        return _TYPES[name]

    def _class(self, node, where, net_part):
        name = node["$class"]
        if name not in NET_CLASSES:
            raise BadFileError(
                f"{where}: names the class {name!r}, which is not among the "
                "classes sklearn_echo.io builds"
            )
        return NET_CLASSES[name]

    def _callback(self, node, where, net_part):
        classes = _callback_classes()
        cls = self._allowed(node["$callback"], classes, where)
        params = self._kwargs(node["params"], cls, where)
        return cls(**params)

    def _allowed(self, name, allowed, where):
        if name not in allowed:
            raise BadFileError(
                f"{where}: names the class {name!r}, which is not among the "
                "classes sklearn_echo.io builds"
            )
        return allowed[name]

    def _kwargs(self, node, cls, where, *, net_part=False, names=None):
        if type(node) is not dict:
            raise BadFileError(f"{where}: parameters must be a JSON object")
        if names is None:
            names = {
                name
                for name, parameter in inspect.signature(
                    cls.__init__
                ).parameters.items()
                if name != "self"
                and parameter.kind
                not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
            }
        unknown = sorted(set(node) - set(names))
        if unknown:
            raise BadFileError(f"{where}: {cls.__name__} has no parameter(s) {unknown}")
        return {
            name: self.value(value, f"{where}.{name}", net_part=net_part)
            for name, value in node.items()
        }

    def _estimator(self, node, where, net_part):
        cls = self._allowed(node["$estimator"], estimator_classes(), where)
        params = self._kwargs(
            node["params"], cls, where, names=set(cls._get_param_names())
        )
        if cls is Pipeline and params.get("memory") is not None:
            raise BadFileError(
                f"{where}.memory: a Pipeline's cache would be read with pickle"
            )
        estimator = cls(**params)
        attributes = node["attributes"]
        if type(attributes) is not dict:
            raise BadFileError(f"{where}: attributes must be a JSON object")
        for name, value in attributes.items():
            private = _PRIVATE_ATTRIBUTES.get(name)
            if not (_FITTED_NAME.match(name) or private) or (
                name in params or hasattr(cls, name)
            ):
                raise BadFileError(
                    f"{where}: {name!r} is not an attribute a {cls.__name__} may hold"
                )
            value = self.value(value, f"{where}.{name}")
            if private and not isinstance(value, private):
                raise BadFileError(f"{where}.{name}: not a targets object")
            setattr(estimator, name, value)
        _check_consistent(estimator, where)
        if "net_" in vars(estimator):
            # Where the network is now (the CPU, if the file's device is
            # missing here), as unpickling says too.
            estimator.device_ = str(estimator.net_.device)
        return estimator

    def _targets(self, node, where, net_part):
        cls = self._allowed(node["$targets"], TARGETS, where)
        state = node["state"]
        names = set(inspect.signature(cls.__init__).parameters) - {"self"}
        if type(state) is not dict or set(state) != names:
            raise BadFileError(f"{where}: {cls.__name__} needs {sorted(names)}")
        return cls(
            **{name: self.value(v, f"{where}.{name}") for name, v in state.items()}
        )

    def _net(self, node, where, net_part):
        cls = self._allowed(node["$net"], NETS, where)
        params = self.value(
            {"$dict": [[k, v] for k, v in _as_object(node["params"], where).items()]},
            where,
            net_part=True,
        )
        if params.get("torch_load_kwargs", {"weights_only": True}) != {
            "weights_only": True
        }:
            raise BadFileError(
                f"{where}.torch_load_kwargs: only {{'weights_only': True}} is allowed"
            )
        if "module" not in params or params["module"] not in (
            LSTMModule,
            LSTMFCNModule,
        ):
            raise BadFileError(
                f"{where}: the net's module must be LSTMModule or LSTMFCNModule"
            )
        module_state = self.value(node["module_state"], f"{where}.module_")
        optimizer_state = self.value(node["optimizer_state"], f"{where}.optimizer_")
        history = self.value(node["history"], f"{where}.history")
        if type(history) is not list or not all(type(row) is dict for row in history):
            raise BadFileError(f"{where}.history: must be a list of rows")
        # Before anything is allocated: the network the parameters describe
        # must be the one whose weights the file holds (so building it costs
        # about the file's size, whatever the parameters say).
        _check_module_size(params, module_state, where)
        params = _on_an_available_device(params, where)
        try:
            # The module's random initialisation must not move the caller's
            # global torch generator; its weights are replaced below.
            with torch.random.fork_rng(devices=[]):
                net = cls(**params).initialize()
        except Exception as exc:  # the constructor's own checks
            raise BadFileError(f"{where}: the net cannot be rebuilt: {exc}") from exc
        _load_module_state(net, module_state, where)
        _load_optimizer_state(net, optimizer_state, where)
        net.history = History(history)
        if type(node["training"]) is not bool:
            raise BadFileError(f"{where}.training: must be true or false")
        # A fitted net waits in eval mode (_LeanBatchLoop.on_train_end).
        net._set_training(node["training"])
        return net

    _TAGS = MappingProxyType(
        {
            "$float": ((), _float, False),
            "$tuple": ((), _tuple, False),
            "$dict": ((), _dict, False),
            "$numpy": (("value",), _numpy, False),
            "$array": (("dtype", "shape"), _array, False),
            "$tensor": (("dtype", "shape"), _tensor, False),
            "$str_array": (("dtype", "shape"), _str_array, False),
            "$object_array": (("shape",), _object_array, False),
            "$dtype": ((), _dtype, False),
            "$type": ((), _type, False),
            "$class": ((), _class, True),
            "$callback": (("params",), _callback, True),
            "$estimator": (("params", "attributes"), _estimator, False),
            "$targets": (("state",), _targets, False),
            "$net": (
                ("params", "module_state", "optimizer_state", "history", "training"),
                _net,
                False,
            ),
        }
    )


def _on_an_available_device(params, where):
    """Return the net's parameters with a device this machine has.

    A model fitted on a GPU loads on a machine without one on the CPU, with
    skorch's ``DeviceWarning``, as unpickling it does.
    """
    device = params.get("device", "cpu")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise BadFileError(f"{where}.device: not a torch device: {exc}") from None
    missing = (device.type == "cuda" and not torch.cuda.is_available()) or (
        device.type == "mps" and not torch.backends.mps.is_available()
    )
    if not missing:
        return params
    warnings.warn(
        f"The model was fitted on {str(device)!r}, which this machine does not "
        "have; it is loaded on the CPU.",
        DeviceWarning,
        stacklevel=2,
    )
    return {**params, "device": "cpu"}


def _as_object(node, where):
    if type(node) is not dict:
        raise BadFileError(f"{where}: expected a JSON object")
    return node


def _check_module_size(params, state, where):
    """Refuse module parameters that disagree with the stored weights' shapes."""
    if type(state) is not dict or not all(
        isinstance(t, torch.Tensor) for t in state.values()
    ):
        raise BadFileError(f"{where}.module_: must map names to tensors")
    module_class = params["module"]
    defaults = _defaults(module_class)
    module = {
        name: params.get(f"module__{name}", defaults.get(name))
        for name in ("input_size", "n_outputs", "hidden_size", "num_layers")
    }
    if not all(type(v) is int and v >= 1 for v in module.values()):
        raise BadFileError(f"{where}: the module's sizes must be integers >= 1")
    directions = 2 if params.get("module__bidirectional") else 1
    hidden = module["hidden_size"]
    expected = {
        f"lstm.weight_hh_l{layer}": (4 * hidden, hidden)
        for layer in range(module["num_layers"])
    }
    if module_class is LSTMFCNModule:
        expected.update(
            _fcn_shapes(params, defaults, module, hidden * directions, where)
        )
    else:
        expected["head.weight"] = (module["n_outputs"], hidden * directions)
        tokens = bool(params.get("module__tokens"))
        expected["mean_step"] = (module["input_size"] + tokens,)
    for name, shape in expected.items():
        found = tuple(state[name].shape) if name in state else None
        if found != shape:
            raise BadFileError(
                f"{where}.module_.{name}: shape {list(found or [])} disagrees with "
                f"the parameters, which make it {list(shape)}"
            )
    burn_in = params.get("module__burn_in", 0)
    if type(burn_in) is not int or not 0 <= burn_in <= 10**6:
        raise BadFileError(f"{where}: burn_in must be an integer in [0, 1e6]")


def _fcn_shapes(params, defaults, module, lstm_width, where):
    """Return the shapes an LSTM-FCN's convolutions and head must have."""
    filters = params.get("module__filters", defaults["filters"])
    kernels = params.get("module__kernel_sizes", defaults["kernel_sizes"])
    sizes = (*filters, *kernels)
    if (
        type(filters) is not tuple
        or type(kernels) is not tuple
        or len(filters) != len(kernels)
        or not filters
        or not all(type(v) is int and 1 <= v <= 10**6 for v in sizes)
    ):
        raise BadFileError(
            f"{where}: filters and kernel_sizes must be tuples of as many "
            "integers in [1, 1e6]"
        )
    expected = {}
    channels = module["input_size"]
    for i, (width, kernel) in enumerate(zip(filters, kernels, strict=True)):
        expected[f"convs.{i}.weight"] = (width, channels, kernel)
        channels = width
    expected["head.weight"] = (module["n_outputs"], lstm_width + channels)
    return expected


def _load_module_state(net, state, where):
    if type(state) is not dict or not all(
        isinstance(t, torch.Tensor) for t in state.values()
    ):
        raise BadFileError(f"{where}.module_: must map names to tensors")
    expected = net.module_.state_dict()
    if set(state) != set(expected):
        raise BadFileError(
            f"{where}.module_: the weights {sorted(state)} do not match the "
            f"network the parameters describe ({sorted(expected)})"
        )
    for name, tensor in state.items():
        want = expected[name]
        if tensor.shape != want.shape or tensor.dtype != want.dtype:
            raise BadFileError(
                f"{where}.module_.{name}: {_dtype_name(tensor)} of shape "
                f"{list(tensor.shape)} disagrees with the parameters, which make "
                f"it {_dtype_name(want)} of shape {list(want.shape)}"
            )
    if "pool_length" in state:
        # A length in steps (0: each sequence's own), not a learnt weight.
        length = float(state["pool_length"])
        if not (0 <= length <= 2**24 and length.is_integer()):
            raise BadFileError(
                f"{where}.module_.pool_length: must be a whole number of steps "
                f"in [0, 2**24], got {length}"
            )
    net.module_.load_state_dict(state)


def _dtype_name(tensor):
    return str(tensor.dtype).removeprefix("torch.")


def _load_optimizer_state(net, state, where):
    params = [p for group in net.optimizer_.param_groups for p in group["params"]]
    if type(state) is not dict or set(state) != {"state", "param_groups"}:
        raise BadFileError(f"{where}.optimizer_: not an optimizer state")
    per_param = state["state"]
    if type(per_param) is not dict:
        raise BadFileError(f"{where}.optimizer_: not an optimizer state")
    for index, values in per_param.items():
        if type(index) is not int or not 0 <= index < len(params):
            raise BadFileError(f"{where}.optimizer_: no parameter {index!r}")
        if type(values) is not dict:
            raise BadFileError(f"{where}.optimizer_: not an optimizer state")
        for name, value in values.items():
            if (
                isinstance(value, torch.Tensor)
                and value.dim()
                and (value.shape != params[index].shape)
            ):
                raise BadFileError(
                    f"{where}.optimizer_.{index}.{name}: shape {list(value.shape)} "
                    f"disagrees with its parameter's {list(params[index].shape)}"
                )
    try:
        net.optimizer_.load_state_dict(state)
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise BadFileError(f"{where}.optimizer_: {exc}") from exc


def _check_consistent(estimator, where):
    """Check that a loaded LSTM estimator's parts describe one network."""
    net = vars(estimator).get("net_")
    targets = vars(estimator).get("_targets")
    kind = getattr(estimator, "_target_kind", None)
    if kind is None:
        if net is not None or targets is not None:
            raise BadFileError(f"{where}: a {type(estimator).__name__} has no net")
        return
    if net is None and targets is None:
        return
    if net is None or targets is None or not hasattr(estimator, "input_size_"):
        raise BadFileError(
            f"{where}: a fitted {type(estimator).__name__} needs net_, _targets "
            "and input_size_ together"
        )
    if type(targets) is not kind or type(net) is not kind.net_class:
        raise BadFileError(
            f"{where}: a {type(estimator).__name__} cannot hold "
            f"{type(targets).__name__} and {type(net).__name__}"
        )
    module = net.module_
    checks = [
        ("the network's outputs", module.head.out_features, targets.n_logits),
        ("the network's input size", net.module__input_size, estimator.input_size_),
        (
            "the network's input form",
            bool(module.tokens),
            bool(estimator._input_form.tokens),
        ),
    ]
    if hasattr(estimator, "vocabulary_size_"):
        checks.append(
            ("vocabulary_size_", estimator.vocabulary_size_, estimator.input_size_)
        )
    for what, found, expected in checks:
        if found != expected:
            raise BadFileError(
                f"{where}: {what} ({found}) disagrees with the fitted estimator "
                f"({expected})"
            )
    for name, value in targets.fitted_attributes().items():
        if not _same(getattr(estimator, name, None), value):
            raise BadFileError(f"{where}.{name}: disagrees with the fitted targets")


def _same(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.all(a == b))
        )
    return a == b


# ---------------------------------------------------------------------- archive


def write(obj, path):
    """Write ``obj`` to ``path``: encode everything first, then write atomically."""
    from safetensors.numpy import save as save_tensors

    if not isinstance(obj, BaseEstimator):
        raise TypeError(
            "sklearn_echo.io.save stores the estimators of sklearn_echo and "
            f"Pipelines of them, not a {type(obj).__name__}."
        )
    encoder = Encoder()
    tree = encoder.estimator(obj, type(obj).__name__)
    document = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "written_by": _versions(),
        "object": tree,
    }
    text = json.dumps(document, allow_nan=False, separators=(",", ":"))
    tensors = save_tensors(encoder.arrays, metadata={"format": FORMAT_NAME})
    path = os.fspath(path)
    # Written beside the target and renamed over it: a failed write leaves
    # no half-written model behind.
    temporary = f"{path}.{os.getpid()}.partial"
    try:
        with open(temporary, "wb") as file, zipfile.ZipFile(file, "w") as archive:
            json_info = zipfile.ZipInfo(JSON_MEMBER, _ZIP_DATE)
            json_info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(json_info, text.encode("utf-8"))
            # Weights barely compress; storing them keeps save and load fast.
            archive.writestr(zipfile.ZipInfo(TENSORS_MEMBER, _ZIP_DATE), tensors)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def read(path):
    """Return the object stored at ``path``; problems raise :class:`BadFileError`.

    ``FileNotFoundError`` and other errors of opening the file pass unchanged.
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load as load_tensors

    with open(path, "rb") as file:
        data = file.read()
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise BadFileError(
            f"it is not a zip archive ({exc}): truncated, damaged, or not written "
            "by sklearn_echo.io.save"
        ) from exc
    with archive:
        names = archive.namelist()
        expected = [JSON_MEMBER, TENSORS_MEMBER]
        if sorted(names) != sorted(expected) or len(names) != len(set(names)):
            missing = sorted(set(expected) - set(names))
            extra = sorted(set(names) - set(expected))
            raise BadFileError(
                f"the archive must hold exactly {expected}; missing {missing}, "
                f"unexpected {extra}"
                + (" (duplicated members)" if len(names) != len(set(names)) else "")
            )
        _check_sizes(archive)
        text = _member(archive, JSON_MEMBER)
        tensors = _member(archive, TENSORS_MEMBER)
    try:
        document = json.loads(text.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadFileError(f"{JSON_MEMBER} is not valid JSON ({exc})") from exc
    _check_header(document)
    try:
        arrays = load_tensors(tensors)
    except SafetensorError as exc:
        raise BadFileError(
            f"{TENSORS_MEMBER} is not a safetensors file ({exc})"
        ) from exc
    decoder = Decoder(arrays)
    try:
        root = document["object"]
        name = root.get("$estimator") if type(root) is dict else None
        where = name.rsplit(".", 1)[-1] if type(name) is str else "object"
        obj = decoder.value(root, where)
    except BadFileError:
        raise
    except RecursionError as exc:
        raise BadFileError(f"{JSON_MEMBER} is nested too deeply") from exc
    except Exception as exc:  # whatever a rebuilt part refused
        raise BadFileError(
            f"the object could not be rebuilt ({type(exc).__name__}: {exc})"
        ) from exc
    if not isinstance(obj, BaseEstimator):
        raise BadFileError(f"{JSON_MEMBER} holds no estimator")
    unused = sorted(set(arrays) - decoder.used)
    if unused:
        raise BadFileError(
            f"{TENSORS_MEMBER} holds tensors that {JSON_MEMBER} does not name: "
            f"{unused[:5]}"
        )
    return obj


def _check_sizes(archive):
    """Refuse members that would unpack to far more than the file holds.

    The tensors are stored uncompressed (their size is the file's); the JSON
    is deflated and may unpack to at most ``_MAX_JSON_BYTES``.
    """
    tensors = archive.getinfo(TENSORS_MEMBER)
    if tensors.compress_type != zipfile.ZIP_STORED:
        raise BadFileError(f"the member {TENSORS_MEMBER} must be stored uncompressed")
    if archive.getinfo(JSON_MEMBER).file_size > _MAX_JSON_BYTES:
        raise BadFileError(
            f"the member {JSON_MEMBER} would unpack to more than "
            f"{_MAX_JSON_BYTES // 2**20} MiB"
        )


def _member(archive, name):
    try:
        return archive.read(name)
    except Exception as exc:  # BadZipFile (CRC), zlib.error, EOFError, ...
        raise BadFileError(f"the member {name} is damaged ({exc})") from exc


def _no_constant(name):
    raise ValueError(f"{name} is not allowed")


def _check_header(document):
    if type(document) is not dict or document.get("format") != FORMAT_NAME:
        raise BadFileError(f"{JSON_MEMBER} does not describe a {FORMAT_NAME} file")
    expected = {"format", "format_version", "written_by", "object"}
    if set(document) != expected:
        raise BadFileError(
            f"{JSON_MEMBER} must hold exactly {sorted(expected)}, got "
            f"{sorted(document)}"
        )
    version, written_by = document["format_version"], document["written_by"]
    if type(version) is not int or type(written_by) is not dict:
        raise BadFileError(f"{JSON_MEMBER} has no readable format version")
    package = importlib.import_module("sklearn_echo")
    writer = written_by.get("sklearn_echo")
    if version > FORMAT_VERSION or (
        release(writer) is not None and release(writer) > release(package.__version__)
    ):
        raise BadFileError(
            f"it was written by sklearn_echo {writer} (file format "
            f"{version}), newer than this sklearn_echo {package.__version__} "
            f"(which reads formats up to {FORMAT_VERSION}); upgrade sklearn_echo "
            "to load it"
        )
    if version < 1:
        raise BadFileError(f"{JSON_MEMBER} has the unknown format version {version}")
