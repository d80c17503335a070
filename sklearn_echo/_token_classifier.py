"""TokenLSTMClassifier: the one-hot Pipeline's model, fed integer tokens."""

from sklearn_echo._classifier import LSTMClassifier
from sklearn_echo._docs import fill_shared_parameters
from sklearn_echo._inputs import TokenInput
from sklearn_echo._params import TOKEN_PARAMETERS


@fill_shared_parameters
class TokenLSTMClassifier(LSTMClassifier):
    """LSTM classifier of integer token sequences, without a one-hot array.

    ``TokenLSTMClassifier(n_features=k, **params)`` is the model of
    ``make_pipeline(OneHotSequenceTransformer(n_features=k), LSTMClassifier(**params))``
    computed on the tokens directly, without the one-hot array of the whole
    data: memory per sequence is ``length`` integers instead of ``length *
    n_features`` floats.  A vocabulary of up to ``4 * hidden_size`` tokens
    (per direction, the unknown token included) is one-hot encoded one batch
    at a time inside the network, which is then the Pipeline's network,
    parameter for parameter.  A larger one is looked up: the LSTM's input
    projection of a one-hot step is one column of its input weight matrix, so
    an embedding lookup replaces the matrix product (``summary()`` shows which
    way), and training is faster than the Pipeline's when ``n_features`` is
    large.  With the same ``random_state`` both start from the same weights
    and compute the same forward pass; only the order in which gradients are
    summed differs, so trained models agree to float32 rounding.

    Use :class:`LSTMClassifier` for real-valued sequences and when the one-hot
    Pipeline is clear enough; use this estimator for large vocabularies or
    millions of sequences.

    Parameters
    ----------
    n_features : int or None, default=None
        The number of distinct tokens (the one-hot width it replaces).
        ``None`` learns it in :meth:`fit` as the largest token plus one (a
        ``fit`` with ``warm_start=True`` keeps the fitted one); an int fixes
        it, and a larger token in :meth:`fit` is an error.

    handle_unknown : {'error', 'ignore'}, default='error'
        What :meth:`predict` and :meth:`partial_fit` do with a token
        ``>= vocabulary_size_``: ``'error'`` raises; ``'ignore'`` treats it
        as an all-zero one-hot step.

    {classifier_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of k such arrays
        The class labels; with a ``y`` of ``k`` columns, one array per target.

    n_outputs_ : int
        The number of targets (see :class:`LSTMClassifier`).

    vocabulary_size_ : int
        The number of distinct tokens learnt in :meth:`fit` (``n_features`` if
        given, else the largest token plus one).

    n_features_in_ : int
        The sequence length.  Not set after a fit on sequences of different
        lengths.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a DataFrame seen in :meth:`fit`.

    input_size_ : int
        Equal to ``vocabulary_size_``: the one-hot width the model stands for.

    net_ : skorch.NeuralNetClassifier
        The trained skorch network.

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
        The accuracy on the early-stopping hold-out after every epoch; None
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
        The device the fitted network is on (see :class:`LSTMClassifier`).

    See Also
    --------
    LSTMClassifier : The same model on one-hot or real-valued sequences.
    OneHotSequenceTransformer : The encoding this estimator does without.

    Examples
    --------
    >>> from sklearn_echo import TokenLSTMClassifier, make_echo_sequences
    >>> X, y = make_echo_sequences(n_samples=3000, length=5, n_features=10,
    ...                            random_state=0)
    >>> X_new, y_new = make_echo_sequences(n_samples=1000, length=5,
    ...                                    n_features=10, random_state=1)
    >>> clf = TokenLSTMClassifier(n_features=10, random_state=0).fit(X, y)
    >>> clf.score(X_new, y_new) > 0.95
    True
    """

    _input_form = TokenInput()

    def __init__(
        self,
        *,
        n_features=None,
        handle_unknown="error",
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
        self.n_features = n_features
        self.handle_unknown = handle_unknown
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
            class_weight=class_weight,
            callbacks=callbacks,
            device=device,
            verbose=verbose,
            warm_start=warm_start,
            random_state=random_state,
        )

    _parameter_table = TOKEN_PARAMETERS

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Tokens are category codes: non-negative integers in a 2-D array.
        tags.input_tags.three_d_array = False
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        return tags
