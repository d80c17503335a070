"""TokenLSTMClassifier: the one-hot Pipeline's model, fed integer tokens."""

from sklearn_echo._classifier import LSTMClassifier
from sklearn_echo._inputs import TokenInput
from sklearn_echo._params import TOKEN_PARAMETERS


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
        ``None`` learns it in :meth:`fit` as the largest token plus one; an int
        fixes it, and a larger token in :meth:`fit` is an error.

    handle_unknown : {'error', 'ignore'}, default='error'
        What :meth:`predict` and :meth:`partial_fit` do with a token
        ``>= vocabulary_size_``: ``'error'`` raises; ``'ignore'`` treats it
        as an all-zero one-hot step.

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

    _parameter_table = TOKEN_PARAMETERS

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Tokens are category codes: non-negative integers in a 2-D array.
        tags.input_tags.three_d_array = False
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        return tags
