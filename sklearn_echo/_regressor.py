"""LSTMRegressor: sequences to one or several real values.

What regression adds to :class:`~sklearn_echo._base.BaseLSTMEstimator`:
numeric targets and their standardisation, the squared error, the R²
recorded per epoch, a random (unstratified) hold-out, and ``predict``.
"""

from sklearn.base import RegressorMixin

from sklearn_echo._base import BaseLSTMEstimator
from sklearn_echo._docs import fill_shared_parameters
from sklearn_echo._targets import RealTargets
from sklearn_echo._validation import keep_state_on_error


@fill_shared_parameters
class LSTMRegressor(RegressorMixin, BaseLSTMEstimator):
    """Sequence regressor: a PyTorch LSTM trained through skorch.

    The LSTM reads each sequence step by step; a linear layer on its last state
    gives one value per target, trained with the squared error.  ``y`` may be
    ``(n_samples,)`` or ``(n_samples, k)``: one LSTM serves the ``k`` targets.
    The network learns each target standardised (mean 0, variance 1 on the
    training data) and :meth:`predict` returns values on the original scale.
    In :meth:`fit` the estimator builds a :class:`skorch.NeuralNetRegressor`
    around :class:`~sklearn_echo._module.LSTMModule` and keeps it as ``net_``,
    so the training history and skorch callbacks remain available.

    It shares its parameters, training recipe and behaviour with
    :class:`LSTMClassifier`; what differs is the loss, the score (R², as
    ``MLPRegressor``), and the early-stopping hold-out (random, not
    stratified).

    Parameters
    ----------
    {regressor_parameters}

    Attributes
    ----------
    n_outputs_ : int
        The number of targets: 1 for a ``y`` of shape (n_samples,) or
        (n_samples, 1), ``k`` for one of shape (n_samples, k).

    n_features_in_ : int
        The number of columns of ``X`` seen in :meth:`fit`: the sequence length.
        Not set after a fit on sequences of different lengths.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a DataFrame seen in :meth:`fit`.

    input_size_ : int
        The number of features per step (1 for 2-D input).

    net_ : skorch.NeuralNetRegressor
        The trained skorch network; ``net_.module_`` is the torch module and
        ``net_.history`` the per-epoch history.

    n_iter_ : int
        The number of epochs run by the last call to :meth:`fit` or
        :meth:`partial_fit`.

    loss_curve_ : list of float
        The training loss (mean squared error on the standardised targets) of
        every epoch so far, across :meth:`partial_fit` and ``warm_start``
        calls.  It starts near 1, the loss of predicting the mean.

    best_loss_ : float or None
        The lowest training loss in ``loss_curve_``; None after a fit with
        early stopping, as in ``MLPRegressor``.

    validation_scores_ : list of float or None
        The R² on the early-stopping hold-out after every epoch; None when the
        last fit held nothing out.

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
    LSTMClassifier : The same model for class labels.
    make_adding_problem : The adding problem, a regression benchmark for LSTMs.
    sklearn.neural_network.MLPRegressor : The stopping rule and the score
        follow it.

    Notes
    -----
    Input is 3-D ``(n_samples, length, n_features)``; a 2-D array
    ``(n_samples, length)`` is read as sequences of one feature per step.

    :meth:`predict` returns ``(n_samples,)`` for one target and
    ``(n_samples, k)`` for ``k``, in float64; :meth:`score` is the R²,
    averaged over targets (``r2_score``'s ``'uniform_average'``).  The value
    of a sequence does not depend on the other sequences in the call, nor on
    its place among them, to within 1e-12 on any CPU (prediction runs in
    float64), and threads may share one fitted model for prediction, as with
    :class:`LSTMClassifier`.

    Examples
    --------
    >>> from sklearn_echo import LSTMRegressor, make_adding_problem
    >>> X, y = make_adding_problem(n_samples=2000, length=10, random_state=0)
    >>> X_new, y_new = make_adding_problem(n_samples=500, length=10,
    ...                                    random_state=1)
    >>> reg = LSTMRegressor(random_state=0).fit(X, y)
    >>> reg.score(X_new, y_new) > 0.95
    True
    >>> reg.predict(X_new[:3]).shape
    (3,)
    """

    _target_kind = RealTargets

    # ----------------------------------------------------------------- fitting

    @keep_state_on_error
    def fit(self, X, y, sample_weight=None):
        """Train the LSTM on sequences ``X`` with targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Training sequences.
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,); see :ref:`variable-length`.

        y : array-like of shape (n_samples,) or (n_samples, k)
            Real-valued targets, finite.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences.  The loss is their weighted mean, the
            standardisation of ``y`` and early stopping's hold-out R² are
            weighted too; sequences of weight zero are left out of
            training; weights that are all equal train as none.  See the
            user guide's :ref:`weights`.

        Returns
        -------
        self : LSTMRegressor
            The fitted regressor.
        """
        return self._fit(X, y, sample_weight)

    @keep_state_on_error
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on ``X, y``, starting from the current weights.

        The first call fixes the number of targets and their
        standardisation.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Training sequences.
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,); see :ref:`variable-length`.

        y : array-like of shape (n_samples,) or (n_samples, k)
            Real-valued targets.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the sequences, as in :meth:`fit`.

        Returns
        -------
        self : LSTMRegressor
            The updated regressor.
        """
        return self._partial_fit(X, y, sample_weight)

    # -------------------------------------------------------------- prediction

    def predict(self, X):
        """Return the predicted values of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Sequences shaped like the training data.
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,); see :ref:`variable-length`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, k)
            The predictions on the scale of ``y``, float64.
        """
        n_samples, blocks = self._forward_blocks(X)
        return self._targets.values(n_samples, blocks)

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R² of the predictions.

        As every scikit-learn regressor's score: ``1 - SS_res / SS_tot``,
        averaged uniformly over the targets when ``y`` has several columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, length, n_features) or \
                (n_samples, length), or list of n_samples sequences
            Sequences shaped like the training data.
            Sequences of different lengths go in a list, each of shape
            (length_i, n_features) or (length_i,); see :ref:`variable-length`.

        y : array-like of shape (n_samples,) or (n_samples, k)
            True values.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The R² of ``self.predict(X)`` against ``y``.
        """
        # The docstring is our own: RegressorMixin's refers to a label of
        # scikit-learn's documentation that this site cannot resolve offline.
        return super().score(X, y, sample_weight=sample_weight)
