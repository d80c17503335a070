"""The fit plan: what one call to ``fit`` or ``partial_fit`` will do.

A pure function of the resolved parameters and the encoded targets, with no
torch in it: the epoch budget, the batch size and learning rate that the
``'auto'`` values stand for, the early-stopping hold-out, the stopping rule's
patience and learning-rate factor, and the loss of the prior.  The result is
a frozen :class:`FitPlan`; nothing changes it afterwards.

The numbers are the training recipe ("Training that lands" in the user guide
gives the measurements behind each; ``benchmarks/bench_learning.py`` measures
it).
"""

from dataclasses import dataclass, replace

import numpy as np
from sklearn.model_selection import train_test_split

from sklearn_echo._weights import UNWEIGHTED, scaled

# batch_size='auto': BATCH sequences per step, fewer for small training sets so
# that an epoch has at least BATCH_STEPS steps, of at least BATCH_MIN
# sequences each (the noise of small batches keeps a small training set from
# being memorised).
BATCH = 64
BATCH_MIN = 4
BATCH_STEPS = 50
# lr='auto': LR for batches of BATCH, scaled by the square root of the batch
# size (the square-root scaling rule for Adam, Malladi et al. 2022).
LR = 1e-2
# max_epochs='auto': enough epochs for STEPS gradient steps, at least
# MIN_EPOCHS; the stopping rule usually ends the fit long before.
STEPS = 6000
MIN_EPOCHS = 20
# early_stopping='auto' holds out a validation set from this many sequences
# on, as HistGradientBoostingClassifier's early_stopping='auto' does.
EARLY_STOPPING_SAMPLES = 10_000
# The plateau: epochs do not count towards n_iter_no_change while the
# training loss is above this fraction of the loss of the prior.
PLATEAU_FRACTION = 0.9
# With a hold-out, each epoch without improvement past the plateau multiplies
# the learning rate by LR_FACTOR (MLPClassifier's learning_rate='adaptive'
# divides it by 5), and n_iter_no_change='auto' is PATIENCE epochs.
LR_FACTOR = 0.2
PATIENCE = 2


@dataclass(frozen=True)
class FitRecipe:
    """The numbers that the ``'auto'`` values of one family of estimators stand for.

    The LSTM estimators' recipe is :data:`LSTM_RECIPE` (the module constants
    above); the LSTM-FCN estimators have their own
    (:data:`FCN_CLASSIFIER_RECIPE` and :data:`FCN_REGRESSOR_RECIPE`).

    Attributes
    ----------
    batch, batch_min, batch_steps : int
        ``batch_size='auto'``: ``batch`` sequences per step, fewer for small
        training sets so that an epoch has at least ``batch_steps`` steps of
        at least ``batch_min`` sequences.
    lr : float
        ``lr='auto'`` for batches of ``batch``, scaled by the square root of
        the batch size.
    steps, min_epochs : int
        ``max_epochs='auto'``: enough epochs for ``steps`` gradient steps, at
        least ``min_epochs``.
    cosine : bool
        Whether ``fit`` decays the learning rate to zero over its epoch
        budget (:class:`~sklearn_echo._callbacks.CosineDecay`).  Without a
        hold-out, ``n_iter_no_change='auto'`` then lets the schedule run to
        its end: the training loss at a rate still high says nothing of
        what the decay will reach.
    recalibrate_norms : bool
        Whether ``fit`` ends by recomputing the batch-norm statistics on the
        training data (:class:`~sklearn_echo._callbacks.RecalibrateNorms`).
    length_sorted : bool
        Whether a training batch of sequences of different lengths holds
        sequences of similar lengths (less padding to compute), or is a
        random draw of the training set (what batch norm needs).
    """

    batch: int = BATCH
    batch_min: int = BATCH_MIN
    batch_steps: int = BATCH_STEPS
    lr: float = LR
    steps: int = STEPS
    min_epochs: int = MIN_EPOCHS
    cosine: bool = False
    recalibrate_norms: bool = False
    length_sorted: bool = True


LSTM_RECIPE = FitRecipe()
# The LSTM-FCN classifier's recipe: batches of 8 sequences (up to 64 for
# training sets of over 400), 4.2e-3 at batches of 8, about 1,200 steps with a
# cosine decay, and the batch-norm statistics recomputed at the end.  Chosen
# on tuning seeds 500-502 of ArrowHead and GunPoint; the rate was doubled, the
# batch halved and the steps doubled on tuning seeds 500-509 of the six
# classification sets (ArrowHead 0.798, 0.831, then 0.855; the user guide's
# "The recipe", and "Recorded series" reports it on other seeds).  Training
# batches of sequences of different lengths are random draws: sorted by
# length, a small training set is cut into the same batches every epoch, and
# where length goes with the class, batch norm then normalises the class away
# (PickupGestureWiimoteZ, tuning seeds 500-502: 0.47 sorted, 0.75 random).
FCN_CLASSIFIER_RECIPE = FitRecipe(
    batch=64,
    batch_min=8,
    batch_steps=50,
    lr=1.2e-2,
    steps=1200,
    min_epochs=20,
    cosine=True,
    recalibrate_norms=True,
    length_sorted=False,
)
# The LSTM-FCN regressor's: batches of at least 16, twice the classifier's
# rate at a given batch (0.012 at batches of 16), and at least 1,200 steps
# and 120 epochs.  A regression fit is judged on precision, and it underfit
# within the budget it had until then (the classifier's first recipe: 0.006
# at batches of 16, 600 steps, 20 epochs): on the adding problem (1,000
# sequences) it scored an R2 of 0.9926 on the test set (tuning seeds
# 600-602), and on seed 600 0.9962 on its own training set.  Tuning seeds
# 600-602 (adding problem, and a noisy sine's frequency, a task no report
# names, kept as a check) and 500-502 (Covid3Month, CardanoSentiment),
# earlier recipe / this one: 0.9926 / 0.9978, 0.9945 / 0.9967, 0.128 / 0.157
# and -0.886 / -0.766.  120 epochs cost a large training set time in
# proportion to its size, as MLPRegressor's max_iter does; on small ones the
# 1,200 steps govern.  The regressor's weight_decay=0.1 on its convolution
# branch (sklearn_echo._fcn) sits on top of this recipe.
FCN_REGRESSOR_RECIPE = replace(
    FCN_CLASSIFIER_RECIPE, batch_min=16, lr=2.4e-2, min_epochs=120
)


@dataclass(frozen=True)
class NoHoldOutRule:
    """How the stopping rule watches the training loss when nothing is held out.

    The training loss of an epoch of a few dozen steps is too noisy to judge
    epochs one by one, so ``n_iter_no_change='auto'`` spans at least
    ``patience_steps`` gradient steps, and the learning rate is multiplied by
    ``lr_factor`` after each epoch without improvement.
    """

    lr_factor: float
    patience_steps: int


@dataclass(frozen=True)
class FitPlan:
    """What one call to ``fit`` or ``partial_fit`` does; see :func:`plan_fit`.

    Attributes
    ----------
    epochs : int
        The number of epochs to run at most.
    batch_size : int
        Sequences per gradient step.
    lr : float
        The initial learning rate.
    train_rows, valid_rows : ndarray of int or None
        The rows of the training data to train on and to hold out for early
        stopping (sorted).  ``train_rows`` is None when every row trains;
        ``valid_rows`` when nothing is held out.  Rows of weight zero are
        in neither.
    patience : int or None
        Epochs without improvement that end the fit; None for
        ``partial_fit``, which runs one epoch and has no stopping rule.
    lr_factor : float
        The learning-rate factor per epoch without improvement.
    prior_loss : float
        The loss of predicting the prior (the class frequencies, the mean).
    decay_steps : int or None
        The gradient steps over which the learning rate decays to zero
        (cosine); None keeps it constant.
    recalibrate_norms : bool
        Whether the batch-norm statistics are recomputed when training ends.
    length_sorted : bool
        Whether training batches of sequences of different lengths hold
        sequences of similar lengths (:attr:`FitRecipe.length_sorted`).
    weights : ndarray of float32 of shape (n_samples,) or None
        Each row's weight, scaled to a mean of 1 over ``train_rows`` and over
        ``valid_rows`` (:func:`~sklearn_echo._weights.scaled`); None when
        the rows that train weigh the same.
    """

    epochs: int
    batch_size: int
    lr: float
    train_rows: object = None
    valid_rows: object = None
    patience: object = None
    lr_factor: float = 1.0
    prior_loss: float = 0.0
    decay_steps: object = None
    recalibrate_norms: bool = False
    length_sorted: bool = True
    weights: object = None

    @property
    def stops(self):
        """Whether the stopping rule runs (a whole ``fit``)."""
        return self.patience is not None

    @property
    def holds_out(self):
        """Whether a validation set is held out for early stopping."""
        return self.valid_rows is not None


def resolve_batch(batch_size, lr, n_samples, recipe=LSTM_RECIPE):
    """Return the batch size and learning rate that ``'auto'`` stand for."""
    if batch_size == "auto":
        per_step = -(-n_samples // recipe.batch_steps)
        batch_size = min(recipe.batch, max(recipe.batch_min, per_step))
    if lr == "auto":
        lr = recipe.lr * (batch_size / recipe.batch) ** 0.5
    return batch_size, lr


def plan_partial_fit(params, n_samples, weights=UNWEIGHTED, recipe=LSTM_RECIPE):
    """Return the plan of one ``partial_fit`` epoch on ``n_samples`` sequences.

    ``weights`` (:class:`~sklearn_echo._weights.RowWeights`) leave out the
    rows of weight zero and weight the others; ``recipe`` says what the
    ``'auto'`` values stand for.
    """
    if weights.kept is not None:
        n_samples = len(weights.kept)
    batch_size, lr = resolve_batch(params.batch_size, params.lr, n_samples, recipe)
    return FitPlan(
        epochs=1,
        batch_size=batch_size,
        lr=lr,
        train_rows=weights.kept,
        weights=scaled(weights.values, weights.kept, None),
        length_sorted=recipe.length_sorted,
    )


def plan_fit(
    params,
    targets,
    y_encoded,
    split_seed,
    no_hold_out_rule,
    weights=UNWEIGHTED,
    recipe=LSTM_RECIPE,
):
    """Return the plan of a whole ``fit``.

    Decides whether to hold out a validation set (``early_stopping``), draws
    it (stratified where ``targets`` says so), and sets the epoch budget
    (``max_epochs``), the batch size and learning rate, the patience and the
    loss of the prior.

    Parameters
    ----------
    params : Params
        The checked parameters.
    targets : ClassTargets or RealTargets
        The fitted targets (:mod:`sklearn_echo._targets`), for three pure
        functions of the encoded targets: ``hold_out_problem(y_encoded,
        n_valid, params)`` (why no hold-out of ``n_valid`` rows exists, or
        None), ``stratify(y_encoded, n_valid)`` (the labels to stratify on,
        or None) and ``prior_loss(y_train, weights)``; and ``hold_out_kind``.
    y_encoded : ndarray of shape (n_samples,) or (n_samples, k)
        The encoded training targets.
    split_seed : int
        Seeds the hold-out.
    no_hold_out_rule : NoHoldOutRule
        The stopping rule without a hold-out.
    weights : RowWeights, default=UNWEIGHTED
        The rows of non-zero weight, which alone train and are held out, and
        their weights, which weight the loss, the hold-out's score and the
        prior (:mod:`sklearn_echo._weights`).
    recipe : FitRecipe, default=LSTM_RECIPE
        What the ``'auto'`` values stand for.

    Returns
    -------
    plan : FitPlan
    """
    # Rows of weight zero take no part: the plan is that of the other rows.
    y_kept = weights.select(y_encoded)
    n_samples = len(y_kept)
    n_valid = int(np.ceil(params.validation_fraction * n_samples))
    problem = targets.hold_out_problem(y_kept, n_valid, params)
    early = params.early_stopping
    if early == "auto":
        early = n_samples >= EARLY_STOPPING_SAMPLES and problem is None
    elif early and problem is not None:
        raise ValueError(
            f"early_stopping=True needs a {targets.hold_out_kind}: {problem}. "
            "Change validation_fraction, pass more data or set "
            "early_stopping=False."
        )
    train_rows, valid_rows = weights.kept, None
    if early:
        train_rows, valid_rows = train_test_split(
            np.arange(n_samples),
            test_size=n_valid,
            stratify=targets.stratify(y_kept, n_valid),
            random_state=split_seed,
        )
        # Row numbers, not copies: a copy of the training part would double
        # the memory of a large X.  Sorted, for reading in order.
        train_rows.sort()
        valid_rows.sort()
        if weights.kept is not None:
            train_rows, valid_rows = weights.kept[train_rows], weights.kept[valid_rows]
    y_train = y_encoded if train_rows is None else y_encoded[train_rows]
    batch_size, lr = resolve_batch(params.batch_size, params.lr, len(y_train), recipe)
    steps_per_epoch = -(-len(y_train) // batch_size)
    epochs = params.max_epochs
    if epochs == "auto":
        epochs = max(recipe.min_epochs, -(-recipe.steps // steps_per_epoch))
    patience = (
        PATIENCE if params.n_iter_no_change == "auto" else params.n_iter_no_change
    )
    lr_factor = LR_FACTOR
    if not early:
        lr_factor = no_hold_out_rule.lr_factor
        if params.n_iter_no_change == "auto" and recipe.cosine:
            # The schedule is the stop.  The first epoch always improves on
            # the best, so no run of `epochs` epochs without improvement fits
            # in the budget.  (LSTMFCNRegressor on the adding problem, tuning
            # seeds 600-605: stopped on the training loss, two fits of six
            # ended at epochs 8 and 9 of 20 with an R2 of 0.978 and 0.988;
            # run to the end, 0.992 and 0.993.)
            patience = epochs
        elif params.n_iter_no_change == "auto":
            steps = no_hold_out_rule.patience_steps
            patience = max(patience, -(-steps // steps_per_epoch))
    return FitPlan(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        train_rows=train_rows,
        valid_rows=valid_rows,
        patience=patience,
        lr_factor=lr_factor,
        prior_loss=targets.prior_loss(y_train, weights.of_rows(train_rows)),
        weights=scaled(weights.values, train_rows, valid_rows),
        decay_steps=epochs * steps_per_epoch if recipe.cosine else None,
        recalibrate_norms=recipe.recalibrate_norms,
        length_sorted=recipe.length_sorted,
    )
