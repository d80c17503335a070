"""The parameter docs that every LSTM estimator shares: one source.

Each entry is written once here, in numpydoc form, and
:func:`fill_shared_parameters` puts it into the docstring of every estimator
where a line ``{group}`` stands for a group of them.  The stopping rule's
parameters, ``verbose`` and ``warm_start`` speak of accuracy or R²: the
classifiers share the ``classifier_`` entries, and the regressor writes its
own.

Why a placeholder rather than copies: the copies of these entries had
drifted apart, each estimator wording them its own way (issue 24).  A whole entry
stands in for a whole line, so nothing is spliced inside a sentence, and
``help()``, Sphinx and the doctests all read the filled docstring.
"""

import math
import re

from sklearn_echo._fit_plan import FCN_CLASSIFIER_RECIPE, FCN_REGRESSOR_RECIPE

# What weight_decay does in the LSTM-FCN estimators, whose defaults differ.
_FCN_WEIGHT_DECAY = """\
        The optimizer's weight decay, applied to the convolution filters
        and the batch-norm scales; the LSTM branch, the output layer and
        the biases are never decayed.  For ``'adamw'`` it is decoupled
        (Loshchilov & Hutter, 2019); for the other optimizers it is torch's
        L2 penalty.
"""

ENTRIES = {
    "hidden_size": """\
    hidden_size : int, default=25
        The size of the LSTM state (the tutorial's ``LSTM(25)``).
""",
    "num_layers": """\
    num_layers : int, default=1
        The number of stacked LSTM layers.
""",
    "dropout": """\
    dropout : float, default=0.0
        Dropout probability in ``[0, 1)`` between stacked layers and before the
        linear head.  Only active during training.
""",
    "bidirectional": """\
    bidirectional : bool, default=False
        Whether the LSTM also reads each sequence backwards.
""",
    "forget_bias": """\
    forget_bias : float, 'chrono' or None, default='chrono'
        Initial gate biases.  ``'chrono'`` is the chrono initialisation of
        Tallec & Ollivier (2018): each unit's forget-gate bias is drawn as
        ``log(U(1, length - 1))`` and its input-gate bias is the negative of
        it, so that the units start with memory time scales spread over the
        training sequences' length.  A float sets every forget-gate bias to
        that value (``5.0``, the earlier default); ``None`` keeps
        torch's initialisation, which on the echo problem at length 50 stays
        at chance.
""",
    "burn_in": """\
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
""",
    "max_epochs": """\
    max_epochs : int or 'auto', default='auto'
        The maximum number of passes over the training data in :meth:`fit`.
        ``'auto'`` gives a budget of about 6,000 gradient steps (at least 20
        epochs): a few hundred sequences get the steps they need, and the
        stopping rule ends large fits long before the budget.
""",
    "batch_size": """\
    batch_size : int or 'auto', default='auto'
        The number of sequences per gradient step.  ``'auto'`` is 64, or
        fewer for training sets of under 3,200 sequences so that an epoch has
        at least 50 steps (at least 4 sequences per step): the noise of small
        batches keeps a small training set from being memorised.
""",
    "lr": """\
    lr : float or 'auto', default='auto'
        The initial learning rate.  ``'auto'`` is ``0.01`` for batches of 64
        and scales with the square root of the batch size (``0.0025`` for
        batches of 4), the square-root rule for Adam.  With early stopping,
        the stopping rule divides it by 5 after each epoch without
        improvement.
""",
    "clip_grad_norm": """\
    clip_grad_norm : float or None, default=1.0
        Rescale the gradient before each step so that its norm is at most this
        value; ``None`` disables clipping.  Clipping keeps the large steps that
        follow the loss plateau of long sequences from undoing what was learnt.
""",
    "optimizer": """\
    optimizer : {'adam', 'adamw', 'rmsprop', 'sgd'} or torch optimizer class, \
            default='adamw'
        The optimizer.  The names build torch's optimizer with its fused
        kernel where torch has one (Adam, AdamW, SGD), which makes a training
        step on short sequences faster; a class is built with torch's defaults
        and ``lr``, so ``torch.optim.LBFGS`` and other optimizers that evaluate
        the loss several times per step work too.  AdamW with
        ``weight_decay=0`` takes exactly Adam's steps.
""",
    "weight_decay": """\
    weight_decay : float, default=0.0
        The optimizer's weight decay, applied to the input weights, the
        token embedding and the output layer; the biases and the recurrent
        weights, which hold the LSTM's memory, are never decayed.  For
        ``'adamw'`` it is decoupled (Loshchilov & Hutter, 2019: each step
        shrinks the weights by ``lr * weight_decay``); for the other
        optimizers it is torch's L2 penalty.  On small training sets it
        speeds up learning that generalises, and it can cost accuracy on
        long recordings: the user guide's "Training that lands" gives the
        measurements.
""",
    "callbacks": """\
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks, added after the built-in ones.  They see
        every epoch, the last too: the stopping rule ends training after
        them.
""",
    "device": """\
    device : str, default='cpu'
        The torch device to train and predict on: ``'cpu'``, ``'cuda'``,
        ``'cuda:N'``, ``'mps'`` (Apple's GPU), or ``'auto'`` for CUDA where
        there is one, else MPS, else the CPU (``device_`` says which).  A
        device this machine lacks raises.  MPS computes in float32 only, so
        a model there predicts on the CPU in float64, and the exactness
        promises (``random_state``, :ref:`weights`) are the CPU's: see the
        user guide's :ref:`cpu-gpu`.
""",
    "random_state": """\
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling, the hold-out and
        dropout.  An int gives the same model and the same predictions at
        every fit (bit for bit on CPU).  Torch's global random state is left
        untouched.
""",
    # What the LSTM-FCN estimators say of their own defaults.
    "fcn_hidden_size": """\
    hidden_size : int, default=8
        The size of the LSTM branch's state (Karim et al. use 8 to 128; the
        convolution branch does most of the work on recorded series).
""",
    "fcn_dropout": """\
    dropout : float, default=0.8
        Dropout probability in ``[0, 1)`` on the LSTM branch's output (and
        between stacked LSTM layers), as Karim et al.'s 0.8.  Only active
        during training.
""",
    "filters": """\
    filters : tuple of int, default=(64, 128, 64)
        The number of filters of each convolution block; one block per
        entry.  Karim et al. use ``(128, 256, 128)``, which costs about three
        times as much on a CPU.
""",
    "kernel_sizes": """\
    kernel_sizes : tuple of int, default=(8, 5, 3)
        The kernel size of each convolution block, one per entry of
        ``filters``.  Each block pads its input with zeros so that its output
        has the input's length (``padding='same'``).  Wider kernels see
        longer shapes: measured before the average over time took the
        sequences' duration into account, ``(16, 10, 6)`` scored 0.79
        against 0.76 on gestures of up to 361 steps (PickupGestureWiimoteZ),
        and 0.974 against 0.985 on sequences of 7 to 29 steps
        (JapaneseVowels), at 1.3 to 1.5 times the fit time (the user guide's
        :ref:`recorded-series`).
""",
    "fcn_clip_grad_norm": """\
    clip_grad_norm : float or None, default=None
        Rescale the gradient before each step so that its norm is at most
        this value; ``None`` (the reference code's choice) disables clipping.
""",
    # What the classifiers, one-hot and token, say alike.
    "classifier_tol": """\
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
""",
    "classifier_n_iter_no_change": """\
    n_iter_no_change : int or 'auto', default='auto'
        See ``tol``.  ``'auto'`` is 2 epochs with early stopping (where each
        epoch without improvement also divides the learning rate by 5), and
        without it as many epochs as make 1,000 gradient steps (at least 2),
        at a constant learning rate: the training loss of an epoch of a few
        steps is too noisy to judge epochs one by one.
""",
    "classifier_early_stopping": """\
    early_stopping : bool or 'auto', default='auto'
        Whether to hold out ``validation_fraction`` of the training sequences
        (stratified by class), stop on the accuracy on them, and restore the
        weights of the best epoch at the end, as ``MLPClassifier`` does.
        ``'auto'`` enables it from 10,000 training sequences on (as
        ``HistGradientBoostingClassifier``'s ``'auto'``), when every class
        can be on both sides of the split.  With several targets the split is
        stratified by the combination of labels where every combination can
        be on both sides, and random otherwise.  With sample or class
        weights, rows of weight zero are not held out and the hold-out
        accuracy is weighted, as ``MLPClassifier`` and
        ``HistGradientBoostingClassifier`` weight their validation score.
        :meth:`partial_fit` never holds out.
""",
    "classifier_validation_fraction": """\
    validation_fraction : float, default=0.1
        The share of the training sequences held out for early stopping, in
        ``(0, 1)``.  The hold-out and the rest must each hold every class.
""",
    "class_weight": """\
    class_weight : dict, list of dict, 'balanced' or None, default=None
        Weights of the classes, ``{label: weight}`` (1 for a label left
        out); with a ``y`` of ``k`` columns, a list of ``k`` dicts, one per
        column, as ``RandomForestClassifier``.  ``'balanced'`` weighs each
        class inversely to its frequency in ``y``: a fit with it is the fit
        with ``sample_weight=compute_sample_weight('balanced', y)``, bit for
        bit.  Class and sample weights multiply.  ``partial_fit`` takes a
        dict and refuses ``'balanced'``, as ``SGDClassifier`` does.  See the
        user guide's :ref:`weights`.
""",
    "classifier_verbose": """\
    verbose : int, default=0
        ``0`` is silent; ``1`` prints a table of the training loss and accuracy
        after each epoch; ``2`` also shows a progress bar within each epoch.
""",
    "classifier_warm_start": """\
    warm_start : bool, default=False
        When True, :meth:`fit` continues training the fitted network instead
        of starting anew.  The data must have the same shape per sequence and
        the same classes.
""",
    # What the regressors say.
    "regressor_tol": """\
    tol : float, default=1e-4
        The stopping rule, as ``MLPRegressor``'s: training stops when the
        training loss (or, with early stopping, the validation R²) has not
        improved by at least ``tol`` for ``n_iter_no_change`` consecutive
        epochs.  Epochs on the initial plateau, while the training loss is
        above 90% of that of predicting the mean (the variance of ``y``,
        averaged over targets), do not count.  No R² ends training at once:
        a validation R² of exactly 1 does not occur in floating point, and
        the stopping rule ends a fit at 0.9999 within ``n_iter_no_change``
        epochs since it cannot improve by ``tol``.
""",
    "regressor_n_iter_no_change": """\
    n_iter_no_change : int or 'auto', default='auto'
        See ``tol``.  ``'auto'`` is 2 epochs with early stopping (where each
        epoch without improvement also divides the learning rate by 5), and
        without it as many epochs as make 250 gradient steps (at least 2),
        at a constant learning rate: the training loss of an epoch of a few
        steps is too noisy to judge epochs one by one.
""",
    "fcn_weight_decay": """\
    weight_decay : float, default=0.0
"""
    + _FCN_WEIGHT_DECAY,
    "fcn_regressor_weight_decay": """\
    weight_decay : float, default=0.1
"""
    + _FCN_WEIGHT_DECAY
    + """\
        The default 0.1 reduces the overfitting of a regression fit (the
        user guide's "Recorded series", section "Regression", gives the
        measurements); 0 turns it off.
""",
    "fcn_n_iter_no_change": """\
    n_iter_no_change : int or 'auto', default='auto'
        See ``tol``.  ``'auto'`` is 2 epochs with early stopping (where each
        epoch without improvement also divides the learning rate by 5), and
        without it the whole epoch budget: the learning rate decays to zero
        over the budget, and the training loss at a rate still high says
        nothing of what the decay will reach, so the schedule runs to its
        end.
""",
    "regressor_early_stopping": """\
    early_stopping : bool or 'auto', default='auto'
        Whether to hold out ``validation_fraction`` of the training sequences
        (drawn at random), stop on the R² on them, and restore the weights of
        the best epoch at the end, as ``MLPRegressor`` does.  ``'auto'``
        enables it from 10,000 training sequences on.  With sample weights,
        rows of weight zero are not held out and the hold-out R² is
        weighted, as ``MLPRegressor`` weights its validation score.
        :meth:`partial_fit` never holds out.
""",
    "regressor_validation_fraction": """\
    validation_fraction : float, default=0.1
        The share of the training sequences held out for early stopping, in
        ``(0, 1)``; the hold-out needs at least 2 sequences (R² needs a
        spread) and the rest at least 1.
""",
    "regressor_verbose": """\
    verbose : int, default=0
        ``0`` is silent; ``1`` prints a table of the training loss (on the
        standardised targets) and R² after each epoch; ``2`` also shows a
        progress bar within each epoch.
""",
    "regressor_warm_start": """\
    warm_start : bool, default=False
        When True, :meth:`fit` continues training the fitted network instead
        of starting anew.  The data must have the same shape per sequence and
        the same number of targets; the standardisation of the first fit is
        kept.
""",
}


# The LSTM-FCN entries that state a recipe's numbers: "{fcn}_max_epochs" and
# so on, filled in from each estimator's recipe, so that the two never differ.
_FCN_RECIPE_TEMPLATES = {
    "max_epochs": """\
    max_epochs : int or 'auto', default='auto'
        The maximum number of passes over the training data in :meth:`fit`.
        ``'auto'`` gives a budget of about {steps:,} gradient steps or
        {min_epochs} epochs, whichever is longer, over which the learning rate
        decays to zero (cosine).
""",
    "batch_size": """\
    batch_size : int or 'auto', default='auto'
        The number of sequences per gradient step.  ``'auto'`` is {batch_min},
        and up to {batch} for training sets of over {over} sequences (so that
        an epoch has about {batch_steps} steps).
""",
    "lr": """\
    lr : float or 'auto', default='auto'
        The initial learning rate.  ``'auto'`` is ``{lr_min:.2g}`` for batches
        of {batch_min} and scales with the square root of the batch size.
        :meth:`fit` decays it to zero over the epoch budget (cosine); with
        early stopping, the stopping rule also divides it by 5 after each
        epoch without improvement.  :meth:`partial_fit` keeps it constant.
""",
}


def _recipe_entries(prefix, recipe):
    """Return the entries that state ``recipe``'s numbers, by name."""
    values = {
        "steps": recipe.steps,
        "min_epochs": recipe.min_epochs,
        "batch": recipe.batch,
        "batch_min": recipe.batch_min,
        "batch_steps": recipe.batch_steps,
        "over": recipe.batch_min * recipe.batch_steps,
        "lr_min": recipe.lr * math.sqrt(recipe.batch_min / recipe.batch),
    }
    return {
        f"{prefix}_{name}": template.format(**values)
        for name, template in _FCN_RECIPE_TEMPLATES.items()
    }


FCN_CLASSIFIER_RECIPE_ENTRIES = _recipe_entries("fcn_classifier", FCN_CLASSIFIER_RECIPE)
FCN_REGRESSOR_RECIPE_ENTRIES = _recipe_entries("fcn_regressor", FCN_REGRESSOR_RECIPE)
ENTRIES.update(FCN_CLASSIFIER_RECIPE_ENTRIES)
ENTRIES.update(FCN_REGRESSOR_RECIPE_ENTRIES)

NETWORK_AND_TRAINING = [
    "hidden_size",
    "num_layers",
    "dropout",
    "bidirectional",
    "forget_bias",
    "burn_in",
    "max_epochs",
    "batch_size",
    "lr",
    "clip_grad_norm",
    "optimizer",
    "weight_decay",
]
FCN_NETWORK = [
    "fcn_hidden_size",
    "num_layers",
    "fcn_dropout",
    "bidirectional",
    "forget_bias",
    "filters",
    "kernel_sizes",
]
FCN_OPTIMISER = ["fcn_clip_grad_norm", "optimizer", "fcn_weight_decay"]
FCN_REGRESSOR_OPTIMISER = [
    "fcn_clip_grad_norm",
    "optimizer",
    "fcn_regressor_weight_decay",
]
CLASSIFIER_TRAINING = [
    "classifier_tol",
    "classifier_n_iter_no_change",
    "classifier_early_stopping",
    "classifier_validation_fraction",
    "class_weight",
    "callbacks",
    "device",
    "classifier_verbose",
    "classifier_warm_start",
    "random_state",
]
REGRESSOR_TRAINING = [
    "regressor_tol",
    "regressor_n_iter_no_change",
    "regressor_early_stopping",
    "regressor_validation_fraction",
    "callbacks",
    "device",
    "regressor_verbose",
    "regressor_warm_start",
    "random_state",
]


def _fcn_training(entries):
    """Return the LSTM estimators' training entries as the LSTM-FCN's read."""
    return [
        "fcn_n_iter_no_change" if name.endswith("_n_iter_no_change") else name
        for name in entries
    ]


# What a placeholder line stands for: entries, in the order of __init__.
GROUPS = {
    "network_and_training": NETWORK_AND_TRAINING,
    "callbacks_and_device": ["callbacks", "device"],
    "random_state": ["random_state"],
    "classifier_parameters": [*NETWORK_AND_TRAINING, *CLASSIFIER_TRAINING],
    "regressor_parameters": [*NETWORK_AND_TRAINING, *REGRESSOR_TRAINING],
    "fcn_classifier_parameters": [
        *FCN_NETWORK,
        *FCN_CLASSIFIER_RECIPE_ENTRIES,
        *FCN_OPTIMISER,
        *_fcn_training(CLASSIFIER_TRAINING),
    ],
    "fcn_regressor_parameters": [
        *FCN_NETWORK,
        *FCN_REGRESSOR_RECIPE_ENTRIES,
        *FCN_REGRESSOR_OPTIMISER,
        *_fcn_training(REGRESSOR_TRAINING),
    ],
}

_PLACEHOLDER = re.compile(r"^    \{(\w+)\}$", re.M)


def _group(name):
    return "\n\n".join(ENTRIES[entry].rstrip("\n") for entry in GROUPS[name])


def fill_shared_parameters(cls):
    """Put the shared parameter docs into ``cls.__doc__`` (a class decorator).

    A line ``    {group}`` of the docstring becomes the entries of ``group``
    (``GROUPS``); an unknown name raises ``KeyError`` at import.
    """
    cls.__doc__ = _PLACEHOLDER.sub(lambda match: _group(match.group(1)), cls.__doc__)
    return cls
