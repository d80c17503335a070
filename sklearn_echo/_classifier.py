"""LSTMClassifier: the scikit-learn face of a skorch-trained PyTorch LSTM.

What classification adds to :class:`~sklearn_echo._base.BaseLSTMEstimator`:
labels and their encoding (one or several targets), the cross-entropy, the
accuracy recorded per epoch, a stratified hold-out, and ``predict_proba``.
"""

import numpy as np
from sklearn.base import ClassifierMixin

from sklearn_echo._base import BaseLSTMEstimator
from sklearn_echo._docs import fill_shared_parameters
from sklearn_echo._params import CLASSIFIER_PARAMETERS
from sklearn_echo._targets import ClassTargets
from sklearn_echo._validation import keep_state_on_error


@fill_shared_parameters
class LSTMClassifier(ClassifierMixin, BaseLSTMEstimator):
    """Sequence classifier: a PyTorch LSTM trained through skorch.

    The LSTM reads each sequence step by step; a linear layer on its last state
    gives one logit per class, trained with cross-entropy.  A ``y`` of shape
    ``(n_samples, k)`` holds ``k`` targets: one LSTM reads the sequence and
    the linear layer gives each target its own logits (one head per target),
    trained with the mean of their cross-entropies.  In :meth:`fit` the
    estimator builds a :class:`skorch.NeuralNetClassifier` around
    :class:`~sklearn_echo._module.LSTMModule` and keeps it as ``net_``, so the
    training history and skorch callbacks remain available.

    Parameters
    ----------
    {classifier_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of k such arrays
        The class labels; with a ``y`` of ``k`` columns, one array per target
        (as ``RandomForestClassifier``).

    n_outputs_ : int
        The number of targets: 1 for a ``y`` of shape (n_samples,), ``k`` for
        one of shape (n_samples, k).

    n_features_in_ : int
        The number of columns of ``X`` seen in :meth:`fit`: the sequence length.
        Not set after a fit on sequences of different lengths.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a DataFrame seen in :meth:`fit`.

    input_size_ : int
        The number of features per step (1 for 2-D input).

    net_ : skorch.NeuralNetClassifier
        The trained skorch network; ``net_.module_`` is the torch module and
        ``net_.history`` the per-epoch history.

    n_iter_ : int
        The number of epochs run by the last call to :meth:`fit` or
        :meth:`partial_fit`.

    loss_curve_ : list of float
        The training loss of every epoch so far, across :meth:`partial_fit`
        and ``warm_start`` calls (``MLPClassifier``'s attribute).

    best_loss_ : float or None
        The lowest training loss in ``loss_curve_``; None after a fit with
        early stopping, as in ``MLPClassifier``.

    validation_scores_ : list of float or None
        The (subset) accuracy on the early-stopping hold-out after every epoch; None
        when the last fit held nothing out.

    best_validation_score_ : float or None
        The best of ``validation_scores_``, whose weights the model keeps;
        None without early stopping.

    early_stopping_ : bool
        Whether the last call held out a validation set (what
        ``early_stopping='auto'`` chose).

    batch_size_ : int
        The batch size of the last call (what ``batch_size='auto'`` chose).

    lr_ : float
        The initial learning rate of the last call (what ``lr='auto'`` chose).

    device_ : str
        The device the fitted network is on: the one it trained on (what
        ``device='auto'`` chose), or ``'cpu'`` once loaded on a machine
        without that device.

    See Also
    --------
    OneHotSequenceTransformer : Turn integer sequences into the one-hot input.
    LSTMRegressor : The same model for real-valued targets.
    sklearn.neural_network.MLPClassifier : The stopping rule follows its ``tol``
        and ``n_iter_no_change``.

    Notes
    -----
    Input is 3-D ``(n_samples, length, n_features)``; a 2-D array
    ``(n_samples, length)`` is read as sequences of one feature per step.

    With a ``y`` of shape ``(n_samples, k)``, :meth:`predict` returns
    ``(n_samples, k)``, :meth:`predict_proba` a list of ``k`` arrays and
    :meth:`score` the subset accuracy, as ``RandomForestClassifier`` and
    ``MultiOutputClassifier`` do.  Every column needs at least two classes.
    A column vector ``(n_samples, 1)`` is one target, read as
    ``(n_samples,)`` with scikit-learn's ``DataConversionWarning``.

    The probabilities of a sequence do not depend on the other sequences in
    the call, nor on its place among them, to within 1e-12 on any CPU:
    prediction runs the network in float64 (see the user guide's
    :ref:`prediction`).

    Any number of threads may call :meth:`predict`, :meth:`predict_proba` and
    :meth:`score` on one fitted classifier at once: prediction changes nothing
    in it.  Training is not thread-safe: do not fit, or change the parameters
    of, a classifier that another thread uses.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_echo import (LSTMClassifier, OneHotSequenceTransformer,
    ...                           make_echo_sequences)
    >>> X, y = make_echo_sequences(n_samples=3000, length=5, n_features=10,
    ...                            random_state=0)
    >>> X_new, y_new = make_echo_sequences(n_samples=1000, length=5,
    ...                                    n_features=10, random_state=1)
    >>> model = make_pipeline(OneHotSequenceTransformer(n_features=10),
    ...                       LSTMClassifier(random_state=0))
    >>> model.fit(X, y).score(X_new, y_new) > 0.95
    True
    >>> model.predict(X_new[:3]), y_new[:3]
    (array([9, 7, 5]), array([9, 7, 5]))
    """

    _target_kind = ClassTargets
    _parameter_table = CLASSIFIER_PARAMETERS

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
        class_weight=None,
        callbacks=None,
        device="cpu",
        verbose=0,
        warm_start=False,
        random_state=None,
    ):
        self.class_weight = class_weight
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            forget_bias=forget_bias,
            burn_in=burn_in,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            clip_grad_norm=clip_grad_norm,
            optimizer=optimizer,
            weight_decay=weight_decay,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            callbacks=callbacks,
            device=device,
            verbose=verbose,
            warm_start=warm_start,
            random_state=random_state,
        )

    # ----------------------------------------------------------------- fitting

    @keep_state_on_error
    def fit(self, X, y, sample_weight=None):
        """Train the LSTM on sequences ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Training sequences, e.g. the output of
            :class:`OneHotSequenceTransformer`.  For
            :class:`TokenLSTMClassifier`: integer tokens of shape
            (n_samples, length).
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,) (integer tokens for
            :class:`TokenLSTMClassifier`); see :ref:`variable-length`.

        y : array-like of shape (n_samples,) or (n_samples, k)
            Class labels (integers, strings, ...), at least two distinct; a
            2-D ``y`` holds ``k`` targets, each column with at least two.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences, multiplied by ``class_weight``'s.  The
            loss is their weighted mean, and early stopping's hold-out
            accuracy is weighted too; sequences of weight zero are left out
            of training; weights that are all equal train as none.  See
            the user guide's :ref:`weights`.

        Returns
        -------
        self : LSTMClassifier
            The fitted classifier.
        """
        return self._fit(X, y, sample_weight)

    @keep_state_on_error
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on ``X, y``, starting from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Training sequences (integer tokens of shape (n_samples, length)
            for :class:`TokenLSTMClassifier`).
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,) (integer tokens for
            :class:`TokenLSTMClassifier`); see :ref:`variable-length`.

        y : array-like of shape (n_samples,) or (n_samples, k)
            Class labels; a 2-D ``y`` holds ``k`` targets.

        classes : array-like of shape (n_classes,) or list of k arrays, \
                default=None
            All the classes that calls to :meth:`partial_fit` will see (for a
            2-D ``y``, one array per column).  On the first call (before
            which the classifier is unfitted), None means the classes present
            in ``y``; on later calls it may be omitted, and if given must
            equal ``classes_``.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences, as in :meth:`fit`.  A dict
            ``class_weight`` applies; ``class_weight='balanced'`` raises, as
            in ``SGDClassifier.partial_fit``, since one call's classes are
            not the data's.

        Returns
        -------
        self : LSTMClassifier
            The updated classifier.
        """
        return self._partial_fit(X, y, sample_weight, classes=classes)

    # -------------------------------------------------------------- prediction

    def predict_proba(self, X):
        """Return the probability of each class for each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Sequences shaped like the training data (integer tokens for
            :class:`TokenLSTMClassifier`).
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,) (integer tokens for
            :class:`TokenLSTMClassifier`); see :ref:`variable-length`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of k such arrays
            Softmax of the network's logits, columns in the order of
            ``classes_``; each row sums to one.  With ``k`` targets, one array
            per target, columns in the order of ``classes_[j]``.
        """
        n_samples, blocks = self._forward_blocks(X)
        return self._targets.probabilities(n_samples, blocks)

    def predict(self, X):
        """Return the most probable class of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Sequences shaped like the training data (integer tokens for
            :class:`TokenLSTMClassifier`).
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,) (integer tokens for
            :class:`TokenLSTMClassifier`); see :ref:`variable-length`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, k)
            Labels from ``classes_`` (column ``j`` from ``classes_[j]``).
        """
        n_samples, blocks = self._forward_blocks(X)
        return self._targets.labels(n_samples, blocks)

    def score(self, X, y, sample_weight=None):
        """Return the accuracy on ``X, y``; with several targets, subset accuracy.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Test sequences.
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,) (integer tokens for
            :class:`TokenLSTMClassifier`); see :ref:`variable-length`.

        y : array-like of shape (n_samples,) or (n_samples, k)
            True labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The share of sequences predicted right; with ``k`` targets, the
            share with every target right (``MultiOutputClassifier.score``).
        """
        if not (hasattr(self, "classes_") and self._targets.multi_output):
            return super().score(X, y, sample_weight=sample_weight)
        y = np.asarray(y)
        y_pred = self.predict(X)
        if y.shape != y_pred.shape:
            raise ValueError(
                f"y has shape {y.shape}, but the predictions of "
                f"{type(self).__name__} have shape {y_pred.shape}."
            )
        return float(np.average(np.all(y == y_pred, axis=1), weights=sample_weight))
