"""Keep fitted models in files that load without running code, and export ONNX.

:func:`save` and :func:`load` keep an estimator of sklearn_echo, or a
Pipeline of them, in a zip archive of JSON (the parameters, the fitted
attributes and the versions that wrote it) and safetensors (the weights and
every other array).  Loading builds only classes of an allow-list, reads no
pickle, and checks every tensor's dtype and shape; a damaged or hostile file
raises ``ValueError`` naming the file and the problem.  A loaded model
predicts what the saved one did, bit for bit, and continues training
(``partial_fit``, ``warm_start``) as the saved one would have.

:func:`export_onnx` writes a fitted model as an ONNX graph, to serve it
without Python (``onnxruntime``, and the other ONNX runtimes).

Both need optional packages: ``python -m pip install "sklearn-echo[io]"`` for
:func:`save` and :func:`load` (safetensors), ``"sklearn-echo[onnx]"`` for
:func:`export_onnx` (onnx, and onnxruntime to run the graph).  The user
guide's "Keeping and serving a model" says which format serves what, and
what :func:`load` protects against.
"""

import importlib
import os

from sklearn_echo import _io_format

__all__ = ["export_onnx", "load", "save"]


def _require(module, extra, function):
    """Import ``module``, or raise ImportError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"sklearn_echo.io.{function} needs the package '{module}', which is "
            f"not installed. Install it with: python -m pip install "
            f'"sklearn-echo[{extra}]"'
        ) from exc


def save(obj, path):
    """Save a model to a file that :func:`load` reads without running code.

    The file is a zip archive of two members: ``model.json`` (the class of
    every object by name, its parameters, its fitted attributes, and the
    versions of sklearn_echo and its dependencies that wrote it) and
    ``tensors.safetensors`` (the weights, the optimizer's state and every
    other array).  Nothing is written unless the whole object can be stored;
    an existing file at ``path`` is replaced at once, never left half
    written.

    Parameters
    ----------
    obj : estimator
        A :class:`~sklearn_echo.LSTMClassifier`,
        :class:`~sklearn_echo.TokenLSTMClassifier`,
        :class:`~sklearn_echo.LSTMRegressor`,
        :class:`~sklearn_echo.OneHotSequenceTransformer` (or any other
        estimator of ``sklearn_echo``), or a
        :class:`~sklearn.pipeline.Pipeline` of them; fitted or not.
    path : str or path-like
        Where to write the file.

    Raises
    ------
    TypeError
        If ``obj`` holds something this format cannot store without
        running code to rebuild it: a skorch callback or an optimizer class
        in the parameters, a ``random_state`` that is a ``RandomState``, a
        Pipeline step of another library, a Pipeline's ``memory``.  The
        message names the place and says to keep such a model with pickle.
    ImportError
        If safetensors is not installed (the ``io`` extra).

    See Also
    --------
    load : Read the file back.
    export_onnx : Write a fitted model for ONNX runtimes.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn_echo import TokenLSTMClassifier, make_echo_sequences
    >>> from sklearn_echo.io import load, save
    >>> X, y = make_echo_sequences(n_samples=200, length=5, n_features=10,
    ...                            random_state=0)
    >>> clf = TokenLSTMClassifier(n_features=10, max_epochs=2, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.zip")
    >>> save(clf, path)
    >>> loaded = load(path)
    >>> np.array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    True
    """
    _require("safetensors", "io", "save")
    _io_format.write(obj, path)


def load(path):
    """Load a model written by :func:`save`, running no code from the file.

    Only classes of an allow-list are built: the estimators of
    ``sklearn_echo``, scikit-learn's :class:`~sklearn.pipeline.Pipeline`, and
    inside a fitted network the package's torch module, losses, callbacks,
    the optimizers it names (Adam, AdamW, RMSprop, SGD) and data iterators.
    No pickle is read.  Every tensor's dtype and shape is checked against
    what the JSON declares and what the parameters make; the file's
    checksums are verified.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.

    Returns
    -------
    obj : estimator
        The model, fitted if it was saved fitted: its predictions equal the
        saved model's bit for bit, and ``partial_fit`` or a ``warm_start``
        fit continue from the saved weights, optimizer state and history.

    Raises
    ------
    ValueError
        If the file is damaged (truncated, bytes changed, members missing),
        hostile (a member that is a pickle, a class outside the allow-list,
        tensors whose shapes disagree with the parameters), or written by a
        newer sklearn_echo.  The message names the file and the problem.
    ImportError
        If safetensors is not installed (the ``io`` extra).

    See Also
    --------
    save : Write the file.

    Notes
    -----
    What ``load`` does not protect against: a file that is well formed but
    holds other weights than you expect (anyone who can write the file can
    make the model predict anything), and a file made to exhaust memory.
    See the user guide's "Keeping and serving a model".

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_echo import LSTMRegressor, make_adding_problem
    >>> from sklearn_echo.io import load, save
    >>> X, y = make_adding_problem(n_samples=100, length=10, random_state=0)
    >>> reg = LSTMRegressor(max_epochs=2, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "regressor.zip")
    >>> save(reg, path)
    >>> loaded = load(path)
    >>> bool((loaded.predict(X) == reg.predict(X)).all())
    True
    >>> loaded.loss_curve_ == reg.loss_curve_
    True
    """
    _require("safetensors", "io", "load")
    try:
        return _io_format.read(path)
    except _io_format.BadFileError as exc:
        raise ValueError(f"Cannot load {os.fspath(path)!r}: {exc}.") from exc


def export_onnx(obj, path, *, lengths=False):
    """Write a fitted model as an ONNX graph, to serve it without Python.

    The graph takes what the Python object takes, for any batch size and
    any sequence length: int64 tokens ``(batch, length)`` (input
    ``tokens``) for a :class:`~sklearn_echo.TokenLSTMClassifier` and for a
    Pipeline of a :class:`~sklearn_echo.OneHotSequenceTransformer` and an
    LSTM estimator, float32 steps ``(batch, length, n_features)`` (input
    ``steps``) for an :class:`~sklearn_echo.LSTMClassifier` or
    :class:`~sklearn_echo.LSTMRegressor`.  A classifier's outputs are
    ``probabilities`` (float32, columns in the order of ``classes_``) and
    ``label`` (the most probable class, where the classes are numbers,
    booleans or strings); with ``k`` targets, ``probabilities_0`` ... and
    ``label_0`` ..., one per target.  A regressor's output is
    ``predictions`` (float64, ``(batch,)`` for one target, ``(batch, k)``
    for ``k``).

    Parameters
    ----------
    obj : estimator
        A fitted :class:`~sklearn_echo.TokenLSTMClassifier`,
        :class:`~sklearn_echo.LSTMClassifier` or
        :class:`~sklearn_echo.LSTMRegressor`, or a fitted
        :class:`~sklearn.pipeline.Pipeline` of a
        :class:`~sklearn_echo.OneHotSequenceTransformer` and an
        :class:`~sklearn_echo.LSTMClassifier` or
        :class:`~sklearn_echo.LSTMRegressor`.
    path : str or path-like
        Where to write the ``.onnx`` file.
    lengths : bool, default=False
        Whether the graph takes a second input, ``lengths`` (int64,
        ``(batch,)``): each sequence's own length, for a batch of sequences
        of different lengths padded at the end to the longest.  The steps
        after a sequence's length never reach its outputs, as in
        :ref:`variable-length`.  Without it every sequence of a batch is
        read to its end.

    Raises
    ------
    TypeError
        If ``obj`` is not one of the models above.
    ImportError
        If onnx is not installed (the ``onnx`` extra).

    See Also
    --------
    save : Keep a model for Python, to predict or to train further.

    Notes
    -----
    The graph is one ONNX ``LSTM`` per layer (opset 17), built from the
    fitted weights, with the burn-in's start state as a constant.  Runtimes
    run it in float32, where the Python object predicts in float64:
    probabilities agree to about 1e-6.  Tokens outside
    ``[0, vocabulary_size_)`` read as the all-zero step (a graph cannot
    raise, so ``handle_unknown='error'`` cannot be kept); check tokens
    before the call where that matters.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import onnxruntime
    >>> from sklearn_echo import TokenLSTMClassifier, make_echo_sequences
    >>> from sklearn_echo.io import export_onnx
    >>> X, y = make_echo_sequences(n_samples=200, length=5, n_features=10,
    ...                            random_state=0)
    >>> clf = TokenLSTMClassifier(n_features=10, max_epochs=2, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.onnx")
    >>> export_onnx(clf, path)
    >>> session = onnxruntime.InferenceSession(path)
    >>> proba, label = session.run(["probabilities", "label"], {"tokens": X[:3]})
    >>> bool(np.abs(proba - clf.predict_proba(X[:3])).max() < 1e-5)
    True
    >>> label.tolist() == clf.predict(X[:3]).tolist()
    True
    """
    onnx = _require("onnx", "onnx", "export_onnx")
    from sklearn_echo import _onnx

    model = _onnx.build(obj, lengths=lengths)
    onnx.save_model(model, os.fspath(path))
