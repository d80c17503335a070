"""LSTMClassifier: the scikit-learn face of a skorch-trained PyTorch LSTM.

What classification adds to :class:`~sklearn_echo._base.BaseLSTMEstimator`:
labels and their encoding (one or several targets), the cross-entropy, the
accuracy recorded per epoch, a stratified hold-out, and ``predict_proba``.
"""

import numpy as np
from sklearn.base import ClassifierMixin

from sklearn_echo._base import BaseLSTMEstimator
from sklearn_echo._targets import ClassTargets
from sklearn_echo._validation import keep_state_on_error


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
    hidden_size : int, default=25
        The size of the LSTM state (the tutorial's ``LSTM(25)``).

    num_layers : int, default=1
        The number of stacked LSTM layers.

    dropout : float, default=0.0
        Dropout probability in ``[0, 1)`` between stacked layers and before the
        linear head.  Only active during training.

    bidirectional : bool, default=False
        Whether the LSTM also reads each sequence backwards.

    forget_bias : float, 'chrono' or None, default='chrono'
        Initial gate biases.  ``'chrono'`` is the chrono initialisation of
        Tallec & Ollivier (2018): each unit's forget-gate bias is drawn as
        ``log(U(1, length - 1))`` and its input-gate bias is the negative of
        it, so that the units start with memory time scales spread over the
        training sequences' length.  A float sets every forget-gate bias to
        that value (``5.0``, the earlier default); ``None`` keeps
        torch's initialisation, which on the echo problem at length 50 stays
        at chance.

    burn_in : int, default=0
        The number of steps of the training data's mean step that the LSTM
        reads, with its current weights and no gradient, to make the start
        state of every sequence: the cell state starts where those steps
        leave it, the hidden state at zero.  It is recomputed at every
        gradient step, so it follows the weights.  ``0`` starts every
        sequence from zeros, as a plain ``nn.LSTM`` does.  :meth:`fit` takes
        the mean step from ``X``, early stopping's hold-out included (it
        holds no labels); for one-hot steps it is each value's frequency.
        ``partial_fit`` and ``warm_start`` keep it.  In a bidirectional LSTM
        the backward direction starts from its own state at each sequence's
        end.  The start state is the same for every sequence, so padding
        still never changes a prediction, and prediction computes it once
        per call.  Each training batch reads ``burn_in`` more steps, for one
        sequence.

        It helped on real recordings of different lengths and can keep a
        fit from learning where the answer is counted from a sequence's
        start (the echo problem); the user guide's "What it costs, and
        what it learns" gives the measurements.

    max_epochs : int or 'auto', default='auto'
        The maximum number of passes over the training data in :meth:`fit`.
        ``'auto'`` gives a budget of about 6,000 gradient steps (at least 20
        epochs): a few hundred sequences get the steps they need, and the
        stopping rule ends large fits long before the budget.

    batch_size : int or 'auto', default='auto'
        The number of sequences per gradient step.  ``'auto'`` is 64, or
        fewer for training sets of under 3,200 sequences so that an epoch has
        at least 50 steps (at least 4 sequences per step): the noise of small
        batches keeps a small training set from being memorised.

    lr : float or 'auto', default='auto'
        The initial learning rate.  ``'auto'`` is ``0.01`` for batches of 64
        and scales with the square root of the batch size (``0.0025`` for
        batches of 4), the square-root rule for Adam.  With early stopping,
        the stopping rule divides it by 5 after each epoch without
        improvement.

    clip_grad_norm : float or None, default=1.0
        Rescale the gradient before each step so that its norm is at most this
        value; ``None`` disables clipping.  Clipping keeps the large steps that
        follow the loss plateau of long sequences from undoing what was learnt.

    optimizer : {'adam', 'adamw', 'rmsprop', 'sgd'} or torch optimizer class, \
            default='adam'
        The optimizer.  The names build torch's optimizer with its fused
        kernel where torch has one (Adam, AdamW, SGD), which makes a training
        step on short sequences faster; a class is built with torch's defaults
        and ``lr``, so ``torch.optim.LBFGS`` and other optimizers that evaluate
        the loss several times per step work too.

    tol : float, default=1e-4
        The stopping rule, as ``MLPClassifier``'s: training stops when the
        training loss (or, with early stopping, the validation accuracy) has
        not improved by at least ``tol`` for ``n_iter_no_change`` consecutive
        epochs.  Epochs on the initial plateau, while the training loss is
        above 90% of that of predicting the class frequencies, do not count:
        an LSTM on long sequences sits there for several epochs before it
        learns.  A validation accuracy of 1 in two consecutive epochs ends
        training at once.  With
        several targets the accuracy is the subset accuracy (every target
        right), as :meth:`score`.

    n_iter_no_change : int or 'auto', default='auto'
        See ``tol``.  ``'auto'`` is 2 epochs with early stopping (where each
        epoch without improvement also divides the learning rate by 5), and
        without it as many epochs as make 1,000 gradient steps (at least 2),
        at a constant learning rate: the training loss of an epoch of a few
        steps is too noisy to judge epochs one by one.

    early_stopping : bool or 'auto', default='auto'
        Whether to hold out ``validation_fraction`` of the training sequences
        (stratified by class), stop on the accuracy on them, and restore the
        weights of the best epoch at the end, as ``MLPClassifier`` does.
        ``'auto'`` enables it from 10,000 training sequences on (as
        ``HistGradientBoostingClassifier``'s ``'auto'``), when every class
        can be on both sides of the split.  With several targets the split is
        stratified by the combination of labels where every combination can
        be on both sides, and random otherwise.  :meth:`partial_fit` never
        holds out.

    validation_fraction : float, default=0.1
        The share of the training sequences held out for early stopping, in
        ``(0, 1)``.  The hold-out and the rest must each hold every class.

    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks, added after the built-in ones.

    device : str, default='cpu'
        The torch device to train and predict on, e.g. ``'cuda'``.

    verbose : int, default=0
        ``0`` is silent; ``1`` prints a table of the training loss and accuracy
        after each epoch; ``2`` also shows a progress bar within each epoch.

    warm_start : bool, default=False
        When True, :meth:`fit` continues training the fitted network instead
        of starting anew.  The data must have the same shape per sequence and
        the same classes.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling, the hold-out and
        dropout.  An int gives the same model and the same predictions at
        every fit (bit for bit on CPU).  Torch's global random state is left
        untouched.

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

    # ----------------------------------------------------------------- fitting

    @keep_state_on_error
    def fit(self, X, y):
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

        Returns
        -------
        self : LSTMClassifier
            The fitted classifier.
        """
        return self._fit(X, y)

    @keep_state_on_error
    def partial_fit(self, X, y, classes=None):
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

        Returns
        -------
        self : LSTMClassifier
            The updated classifier.
        """
        return self._partial_fit(X, y, classes=classes)

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
