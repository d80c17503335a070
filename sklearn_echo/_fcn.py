"""LSTMFCNClassifier and LSTMFCNRegressor: the LSTM-FCN of Karim et al. (2017).

What the LSTM-FCN changes in the LSTM estimators: the torch module
(:class:`~sklearn_echo._fcn_module.LSTMFCNModule`, a convolution branch
beside a small LSTM), its parameters (``filters`` and ``kernel_sizes``; no
``burn_in``) and the training recipe that the ``'auto'`` values stand for
(:data:`~sklearn_echo._fit_plan.FCN_CLASSIFIER_RECIPE` and
:data:`~sklearn_echo._fit_plan.FCN_REGRESSOR_RECIPE`).  Everything else
(input forms, targets, stopping rule, prediction, ``partial_fit``,
``warm_start``) is the LSTM estimators', through the hooks of
:class:`~sklearn_echo._base.BaseLSTMEstimator`.
"""

from sklearn_echo._classifier import LSTMClassifier
from sklearn_echo._docs import fill_shared_parameters
from sklearn_echo._fcn_module import LSTMFCNModule, check_fcn_size
from sklearn_echo._fit_plan import FCN_CLASSIFIER_RECIPE, FCN_REGRESSOR_RECIPE
from sklearn_echo._params import (
    FCN_CLASSIFIER_PARAMETERS,
    FCN_PARAMETERS,
    NOT_DECAYED,
)
from sklearn_echo._regressor import LSTMRegressor


class _LSTMFCNMixin:
    """The LSTM-FCN's module and parameters; left of an LSTM estimator."""

    _module_class = LSTMFCNModule
    _architecture = (
        "hidden_size",
        "num_layers",
        "bidirectional",
        "filters",
        "kernel_sizes",
    )
    _parameter_table = FCN_PARAMETERS
    # weight_decay decays the convolution filters and the batch-norm scales
    # only: the LSTM branch and the head are spared as well as the biases.
    # Chosen for the regressor's default (weight_decay=0.1) on tuning seeds
    # 600-602 (adding problem, noisy sine) and 500-502 (Covid3Month,
    # CardanoSentiment): decay 0.2 on every weight but the biases and the
    # recurrent ones cost the sine check 0.9967 -> 0.9943; on the convolution
    # branch alone, 0.1 scored 0.9985, 0.9967, 0.162 and -0.620 against the
    # undecayed 0.9978, 0.9967, 0.157 and -0.766
    # (benchmarks/results/recorded_regress_tuning_seeds600_stop42.log).
    _not_decayed = (*NOT_DECAYED, "lstm.*", "head.*")

    def __init__(
        self,
        *,
        hidden_size=8,
        num_layers=1,
        dropout=0.8,
        bidirectional=False,
        forget_bias="chrono",
        filters=(64, 128, 64),
        kernel_sizes=(8, 5, 3),
        max_epochs="auto",
        batch_size="auto",
        lr="auto",
        clip_grad_norm=None,
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
        self.filters = filters
        self.kernel_sizes = kernel_sizes
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

    def _check_params(self):
        params = super()._check_params()
        if len(params.filters) != len(params.kernel_sizes):
            raise ValueError(
                "filters and kernel_sizes must have one entry per convolution "
                f"block each, got {len(params.filters)} filters "
                f"{params.filters} and {len(params.kernel_sizes)} kernel sizes "
                f"{params.kernel_sizes}."
            )
        return params

    def _module_kwargs(self, params, *, input_size, n_outputs, t_min, t_max, lookup):
        # No tokens, so no lookup; no burn-in.
        return {
            "input_size": input_size,
            "n_outputs": n_outputs,
            "hidden_size": params.hidden_size,
            "num_layers": params.num_layers,
            "dropout": params.dropout,
            "bidirectional": params.bidirectional,
            "forget_bias": params.forget_bias,
            "t_max": t_max,
            "filters": params.filters,
            "kernel_sizes": params.kernel_sizes,
            # Training sequences of different lengths: the pooling averages
            # over the longest (the user guide's "Duration").  Of one
            # length: over each sequence's own steps, whatever its length.
            "pool_length": t_max if t_min < t_max else None,
        }

    def _check_network_size(self, params, input_size, n_outputs):
        check_fcn_size(
            input_size,
            n_outputs,
            hidden_size=params.hidden_size,
            num_layers=params.num_layers,
            bidirectional=params.bidirectional,
            filters=params.filters,
            kernel_sizes=params.kernel_sizes,
        )


@fill_shared_parameters
class LSTMFCNClassifier(_LSTMFCNMixin, LSTMClassifier):
    """LSTM-FCN sequence classifier for recorded series (Karim et al., 2017).

    Two branches read each sequence side by side: a fully convolutional
    network (three blocks of a 1-D convolution over time, batch
    normalisation and ReLU, then the average over time of the last block)
    and a small LSTM (its last state, with strong dropout).  Their outputs
    are concatenated and a linear layer gives one logit per class, trained
    with cross-entropy.  Karim et al. ("LSTM Fully Convolutional Networks
    for Time Series Classification", IEEE Access 2017) built it on the FCN of
    Wang et al. (2017), which matched the best methods of its time on the
    UCR archive.

    Use it for recorded series (sensor recordings, motion, audio features):
    the convolutions find local shapes anywhere in a sequence.  Use
    :class:`LSTMClassifier` for symbols and long memory (the echo problem,
    token streams), where the answer depends on one step far back; the user
    guide's :ref:`recorded-series` compares them on real data.

    It does what :class:`LSTMClassifier` does: 3-D arrays, 2-D arrays (one
    feature per step) and lists of sequences of different lengths, several
    targets, ``partial_fit``, ``warm_start``, early stopping, thread-safe
    prediction.  Sequences of different lengths are padded within each batch,
    and the padding never changes a prediction: every convolution block's
    output is zeroed on padded steps, batch normalisation takes its
    statistics over real steps only and the average reads real steps only,
    so each sequence gets the outputs it gets alone.  When the training
    sequences differ in length, the average divides by the longest one's
    length (or a sequence's own, where that is longer), so that a shorter
    sequence's duration reaches the head, as the padding of an equal-length
    copy of the data would tell it.  After training sequences of one length
    it is the plain average.

    Parameters
    ----------
    {fcn_classifier_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of k such arrays
        The class labels; with a ``y`` of ``k`` columns, one array per target.

    n_outputs_ : int
        The number of targets (see :class:`LSTMClassifier`).

    n_features_in_ : int
        The number of columns of ``X`` seen in :meth:`fit`: the sequence length.
        Not set after a fit on sequences of different lengths.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a DataFrame seen in :meth:`fit`.

    input_size_ : int
        The number of features (channels) per step (1 for 2-D input).

    net_ : skorch.NeuralNetClassifier
        The trained skorch network; ``net_.module_`` is the torch module
        (:class:`~sklearn_echo._fcn_module.LSTMFCNModule`) and
        ``net_.history`` the per-epoch history.

    n_iter_ : int
        The number of epochs run by the last call to :meth:`fit` or
        :meth:`partial_fit`.

    loss_curve_ : list of float
        The training loss of every epoch so far (``MLPClassifier``'s
        attribute).

    best_loss_ : float or None
        The lowest training loss in ``loss_curve_``; None after a fit with
        early stopping.

    validation_scores_ : list of float or None
        The accuracy on the early-stopping hold-out after every epoch; None
        when the last fit held nothing out.

    best_validation_score_ : float or None
        The best of ``validation_scores_``; None without early stopping.

    early_stopping_ : bool
        Whether the last call held out a validation set.

    batch_size_ : int
        The batch size of the last call (what ``batch_size='auto'`` chose).

    lr_ : float
        The initial learning rate of the last call (what ``lr='auto'`` chose).

    device_ : str
        The device the fitted network is on (see :class:`LSTMClassifier`).

    See Also
    --------
    LSTMFCNRegressor : The same network for real-valued targets.
    LSTMClassifier : An LSTM alone: for symbols and long memory.
    SequenceScaler : Standardise recordings before the network.

    Notes
    -----
    Differences from the reference code (``titu1994/LSTM-FCN``), each
    measured on CPU (the user guide's :ref:`recorded-series`):

    - the LSTM reads the sequence over time, not the "dimension shuffle"
      (each channel read as one step of ``length`` features), which cannot
      take sequences of different lengths;
    - 64/128/64 filters instead of 128/256/128: about a third of the cost;
    - a budget of about 1,200 gradient steps (batches of 8 on small
      training sets) with a cosine decay of the learning rate, and the
      batch-norm statistics recomputed on the training data at the end,
      instead of 2,000 epochs with the learning rate divided on plateaus: a
      fit of a UCR set takes under a minute on one thread.

    The probabilities of a sequence do not depend on the other sequences in
    the call, nor on its place among them, to within 1e-12 on any CPU:
    prediction runs the network in float64 (see the user guide's
    :ref:`prediction`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_echo import LSTMFCNClassifier
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 1, 40)
    >>> y = rng.randint(2, size=60)
    >>> X = np.sin(2 * np.pi * (2 + 2 * y[:, None]) * t) + 0.3 * rng.randn(60, 40)
    >>> clf = LSTMFCNClassifier(max_epochs=30, random_state=0).fit(X[:40], y[:40])
    >>> clf.score(X[40:], y[40:]) > 0.9
    True
    """

    _recipe = FCN_CLASSIFIER_RECIPE
    _parameter_table = FCN_CLASSIFIER_PARAMETERS

    def __init__(
        self,
        *,
        hidden_size=8,
        num_layers=1,
        dropout=0.8,
        bidirectional=False,
        forget_bias="chrono",
        filters=(64, 128, 64),
        kernel_sizes=(8, 5, 3),
        max_epochs="auto",
        batch_size="auto",
        lr="auto",
        clip_grad_norm=None,
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
            filters=filters,
            kernel_sizes=kernel_sizes,
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


@fill_shared_parameters
class LSTMFCNRegressor(_LSTMFCNMixin, LSTMRegressor):
    """LSTM-FCN sequence regressor for recorded series.

    The network of :class:`LSTMFCNClassifier` (a convolution branch and a
    small LSTM side by side) with a linear head that gives one value per
    target, trained with the squared error on standardised targets, as
    :class:`LSTMRegressor`.  Sequences of different lengths go in a list,
    and their padding never changes a prediction; the average over time
    divides by the longest training sequence's length when the training
    sequences differ in length, as in :class:`LSTMFCNClassifier`.

    Parameters
    ----------
    {fcn_regressor_parameters}

    Attributes
    ----------
    n_outputs_ : int
        The number of targets.

    n_features_in_ : int
        The number of columns of ``X`` seen in :meth:`fit`: the sequence length.
        Not set after a fit on sequences of different lengths.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a DataFrame seen in :meth:`fit`.

    input_size_ : int
        The number of features (channels) per step (1 for 2-D input).

    net_ : skorch.NeuralNetRegressor
        The trained skorch network.

    n_iter_ : int
        The number of epochs run by the last call to :meth:`fit` or
        :meth:`partial_fit`.

    loss_curve_ : list of float
        The training loss of every epoch so far (on the standardised
        targets).

    best_loss_ : float or None
        The lowest training loss in ``loss_curve_``; None after a fit with
        early stopping.

    validation_scores_ : list of float or None
        The R² on the early-stopping hold-out after every epoch; None when
        the last fit held nothing out.

    best_validation_score_ : float or None
        The best of ``validation_scores_``; None without early stopping.

    early_stopping_ : bool
        Whether the last call held out a validation set.

    batch_size_ : int
        The batch size of the last call (what ``batch_size='auto'`` chose).

    lr_ : float
        The initial learning rate of the last call (what ``lr='auto'`` chose).

    device_ : str
        The device the fitted network is on (see :class:`LSTMClassifier`).

    See Also
    --------
    LSTMFCNClassifier : The same network for class labels.
    LSTMRegressor : An LSTM alone: for long memory.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_echo import LSTMFCNRegressor
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 1, 30)
    >>> freq = rng.uniform(1, 3, size=80)
    >>> X = np.sin(2 * np.pi * freq[:, None] * t)
    >>> reg = LSTMFCNRegressor(max_epochs=40, random_state=0).fit(X[:60], freq[:60])
    >>> reg.score(X[60:], freq[60:]) > 0.5
    True
    """

    _recipe = FCN_REGRESSOR_RECIPE

    def __init__(
        self,
        *,
        hidden_size=8,
        num_layers=1,
        dropout=0.8,
        bidirectional=False,
        forget_bias="chrono",
        filters=(64, 128, 64),
        kernel_sizes=(8, 5, 3),
        max_epochs="auto",
        batch_size="auto",
        lr="auto",
        clip_grad_norm=None,
        optimizer="adamw",
        weight_decay=0.1,
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
        # The mixin's parameters, with weight decay on the convolution
        # branch by default: without it a regression fit overfits more (the
        # user guide's "Recorded series", section "Regression").
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            forget_bias=forget_bias,
            filters=filters,
            kernel_sizes=kernel_sizes,
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
