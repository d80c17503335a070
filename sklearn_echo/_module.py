"""The torch modules behind the LSTM estimators."""

import numpy as np
import torch
from torch import nn
from torch.nn import functional
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from sklearn_echo._validation import check_allocation


class LSTMModule(nn.Module):
    """An LSTM over a sequence followed by a linear head on its last state.

    The module returns raw outputs: :class:`~sklearn_echo.LSTMClassifier`
    trains them as logits with a cross-entropy (one block of logits per
    target) and applies the softmax in ``predict_proba``;
    :class:`~sklearn_echo.LSTMRegressor` trains them with the squared error.

    Parameters
    ----------
    input_size : int
        The number of features of each step (the one-hot width).
    n_outputs : int
        The number of outputs of the head: logits of every class of every
        target for a classifier, one value per target for a regressor.
    hidden_size : int, default=25
        The size of the LSTM state.
    num_layers : int, default=1
        The number of stacked LSTM layers.
    dropout : float, default=0.0
        Dropout probability between stacked layers and before the head.
    bidirectional : bool, default=False
        Whether to also read the sequence backwards.
    forget_bias : float, 'chrono' or None, default=5.0
        Initial value of the forget gate's bias (``bias_ih`` holds it, the
        forget part of ``bias_hh`` starts at 0).  A large value makes the cell
        keep its state by default, which is what lets an LSTM learn to carry a
        value over 50 steps.  ``'chrono'`` is the chrono initialisation of
        Tallec & Ollivier (2018): each unit's forget bias is drawn as
        ``log(U(1, t_max - 1))`` and its input-gate bias is its negative, so
        the units start with memory time scales spread up to ``t_max`` steps.
        ``None`` keeps torch's default initialisation.
    t_max : int, default=50
        The longest time scale of ``forget_bias='chrono'``: the sequence
        length.  Ignored otherwise.
    burn_in : int, default=0
        The number of steps of ``mean_step`` the LSTM reads, with the current
        weights, no gradient and no dropout, to make the start state of every
        sequence: each layer's and direction's cell state starts where those
        steps leave it (the backward direction of a bidirectional LSTM
        starts from it at each sequence's end), and the hidden state starts
        at zero.  0 starts both from zeros, as ``nn.LSTM`` does.  The state
        is the same for every sequence, so a sequence's outputs still do not
        depend on the rest of its batch.
    tokens : bool, default=False
        Whether the input is integer tokens of shape (batch, length) instead
        of one-hot steps of width ``input_size``: token ``k`` is the one-hot
        step with a 1 at ``k``, and token ``input_size`` is the unknown token,
        the all-zero step.  The token module computes the one-hot module's
        outputs, in one of two ways (``lookup``).
    lookup : bool or None, default=None
        How a token module reads its tokens.  False: it one-hot encodes each
        batch itself and is the one-hot module, parameter for parameter.
        True: it never builds a one-hot array.  The input projection of a
        one-hot step is one column of the first layer's ``weight_ih``, so
        those columns move into an ``nn.Embedding`` (a lookup, whose last row,
        the unknown token's, is zero), and the first layer's ``weight_ih``
        becomes a fixed 0/1 selector that passes the looked-up projection
        through unchanged.  Both ways draw the same random numbers at
        construction, so the same seed gives the same initial model.  None
        chooses with :func:`uses_lookup`: the lookup for vocabularies wider
        than the first layer's gates, where its selector is the smaller
        matrix.  Ignored without ``tokens``.

    Attributes
    ----------
    mean_step : torch.Tensor of shape (input_size,), or (input_size + 1,) for tokens
        A buffer: the step that the burn-in reads.  The estimators set it to
        the mean step of the training data; for tokens it holds each token's
        frequency, the unknown token's last, and the step is the one-hot step
        of those frequencies (with the lookup, the embedding rows weighted by
        them: the same step).
    """

    def __init__(
        self,
        input_size,
        n_outputs,
        hidden_size=25,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        forget_bias=5.0,
        tokens=False,
        t_max=50,
        burn_in=0,
        lookup=None,
    ):
        super().__init__()
        if int(burn_in) < 0:
            raise ValueError(f"burn_in must be >= 0, got {burn_in}.")
        self.burn_in = int(burn_in)
        self.register_buffer("mean_step", torch.zeros(input_size + bool(tokens)))
        self.lstm = nn.LSTM(
            input_size,
            hidden_size,
            num_layers=num_layers,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
            batch_first=True,
        )
        # nn.Dropout, unlike F.dropout, is switched off by module.eval().
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), n_outputs)
        if isinstance(forget_bias, str):
            self.init_chrono(t_max)
        elif forget_bias is not None:
            self.init_forget_bias(forget_bias)
        self.tokens = bool(tokens)
        if lookup is None:
            lookup = uses_lookup(input_size, hidden_size, bidirectional)
        lookup = self.tokens and bool(lookup)
        self.embedding = self._move_input_weights_to_embedding() if lookup else None

    def _move_input_weights_to_embedding(self):
        """Turn the one-hot module into its token equivalent, drawing no randoms."""
        old = self.lstm
        gates = 4 * old.hidden_size
        directions = 2 if old.bidirectional else 1
        first = ["weight_ih_l0", "weight_ih_l0_reverse"][:directions]
        # Row k of the embedding is column k of weight_ih (each direction side by
        # side); the last row, for unknown tokens, is zero and gets no gradient.
        weight = torch.cat([getattr(old, name).detach().t() for name in first], 1)
        weight = torch.cat([weight, weight.new_zeros(1, weight.shape[1])])
        embedding = nn.Embedding(
            len(weight), weight.shape[1], padding_idx=len(weight) - 1, _weight=weight
        )
        # Every parameter of the new LSTM is overwritten below; its random
        # initialisation runs on a forked generator so that the global one
        # advances exactly as for the one-hot module.
        with torch.random.fork_rng(devices=[]):
            self.lstm = nn.LSTM(
                gates * directions,
                old.hidden_size,
                num_layers=old.num_layers,
                dropout=old.dropout,
                bidirectional=old.bidirectional,
                batch_first=True,
            )
        with torch.no_grad():
            for name, param in self.lstm.named_parameters():
                if name in first:
                    direction = first.index(name)
                    param.zero_()
                    columns = slice(direction * gates, (direction + 1) * gates)
                    param[:, columns] = torch.eye(gates)
                    param.requires_grad_(False)
                else:
                    param.copy_(getattr(old, name))
        return embedding

    def init_forget_bias(self, value):
        """Set the forget-gate bias of every layer and direction to ``value``."""
        init_forget_bias(self.lstm, value)

    def init_chrono(self, t_max):
        """Chrono-initialise the gate biases of every layer and direction.

        See :func:`init_chrono`.
        """
        init_chrono(self.lstm, t_max)

    def start_state(self, layers=None):
        """Return the start state of one sequence, or None for zeros.

        Parameters
        ----------
        layers : object, default=None
            The layers to read the burn-in with: None for the module's own
            (training), or the :class:`Float64Layers` of prediction.

        Returns
        -------
        state : tuple (h_0, c_0) of tensors or None
            None when ``burn_in`` is 0.  Otherwise ``h_0`` is zero and
            ``c_0`` the cell state after ``burn_in`` steps of ``mean_step``,
            read under ``torch.no_grad()`` with the current weights and no
            dropout; each of shape ``(num_layers * num_directions, 1,
            hidden_size)``.  Training computes it at every batch, so that it
            follows the weights; prediction once per call, and passes it on.

            The hidden state starts at zero because the whole state hurt
            where positions are counted from a sequence's start (see the user
            guide's "What it costs, and what it learns").
        """
        if not self.burn_in:
            return None
        layers = _OwnLayers(self) if layers is None else layers
        step = layers.mean_input()
        steps = step.expand(1, self.burn_in, -1)
        dropping = self.lstm.training and self.lstm.dropout > 0
        with torch.no_grad():
            if dropping and isinstance(layers, _OwnLayers):
                self.lstm.train(False)
            try:
                _, (h, c) = layers.lstm(steps)
            finally:
                if dropping and isinstance(layers, _OwnLayers):
                    self.lstm.train(True)
        return torch.zeros_like(h), c

    def mean_input(self):
        """Return the LSTM's input for ``mean_step``: the step the burn-in reads."""
        step = self.mean_step
        if self.embedding is not None:
            return step @ self.embedding.weight
        if self.tokens:
            return step[:-1]  # the unknown token is the all-zero step
        return step

    def _batch_start(self, start, batch_size, layers):
        """Return ``start`` (computed if None) repeated for a batch, or None."""
        if not self.burn_in:
            return None
        h, c = self.start_state(layers) if start is None else start
        # Copies: a state made under inference_mode cannot be saved for a
        # backward pass outside it.
        dense = torch.contiguous_format
        return (
            h.expand(-1, batch_size, -1).clone(memory_format=dense),
            c.expand(-1, batch_size, -1).clone(memory_format=dense),
        )

    def forward(self, X, lengths=None, start=None):
        """Return the outputs (batch, n_outputs) of X (batch, length, input_size).

        ``start``, if given, is :meth:`start_state`'s result for the current
        weights, which prediction computes once for all its blocks; None
        computes it here when ``burn_in`` is set.

        ``lengths`` (batch,), if given, holds each sequence's own length:
        sequence ``i`` is ``X[i, :lengths[i]]`` and the steps after it are
        padding, which never reaches an output.  One direction reads the padded
        block as it is and its output is taken at each sequence's last step
        (the steps before it do not depend on the padding after it); two
        directions read a packed sequence, so that the backward direction
        starts at each sequence's own end (packing costs more than the padded
        read, so it is used only where it is needed).
        """
        return self._outputs(_OwnLayers(self), X, lengths, start)

    def predict_float64(self, X, lengths=None):
        """Return :meth:`forward`'s outputs computed in float64, for prediction.

        The weights are copied to float64 for the call and the module is not
        changed, so threads may call this at once; dropout is off whatever
        the module's mode.  In float32, CPU kernels round a row's sums
        differently with its position in the batch and the batch's size
        (AVX2 kernels do; see the user guide's "Prediction"); in
        float64 those differences are about 1e-16, far below what a
        float32 prediction could show.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, length, input_size), or (batch, length)
            The steps (any float dtype), or the tokens of a token module.
        lengths : torch.Tensor of shape (batch,), default=None
            Each sequence's own length, as in :meth:`forward`.

        Returns
        -------
        outputs : torch.Tensor of shape (batch, n_outputs), float64
        """
        return self.float64_predictor()(X, lengths)

    def float64_predictor(self):
        """Return :meth:`predict_float64` as a function of ``(X, lengths=None)``.

        The float64 weights and the burn-in start state are made once, here,
        and serve every block of one prediction call.
        """
        layers = Float64Layers(self)
        with torch.inference_mode():
            start = self.start_state(layers)

        def predict(X, lengths=None):
            with torch.inference_mode():
                return self._outputs(layers, X, lengths, start)

        return predict

    def _outputs(self, layers, X, lengths, start):
        X = layers.steps(X)
        if lengths is not None:
            return layers.head(self._last_states(layers, X, lengths, start))
        _, (h_n, _) = layers.lstm(X, self._batch_start(start, len(X), layers))
        if self.lstm.bidirectional:
            # Last layer's forward state (end of sequence) and backward state
            # (start of sequence).
            last = torch.cat([h_n[-2], h_n[-1]], dim=1)
        else:
            last = h_n[-1]
        return layers.head(last)

    def steps(self, X):
        """Return the LSTM's input: X, or the steps of tokens X."""
        if self.embedding is not None:
            return self.embedding(X)
        if self.tokens:
            # Rows of the identity; the unknown token's, the last, is all zero.
            # (5x faster than functional.one_hot, which makes int64 steps.)
            return _one_hot_rows(X, self.lstm.input_size, self.head.weight)
        return X

    def _last_states(self, layers, X, lengths, start):
        """Return each sequence's last state of the last layer, padding skipped."""
        start = self._batch_start(start, len(X), layers)
        return last_states(layers.lstm, X, lengths, self.lstm.bidirectional, start)

    def summary(self, length):
        """Describe the layers like Keras' ``model.summary()``.

        Parameters
        ----------
        length : int or None
            The sequence length, shown in the input shape; None for
            sequences of different lengths.

        Returns
        -------
        text : str
            One line per layer with its output shape and parameter count, then
            the totals and the input shape.
        """
        width = self.lstm.hidden_size * (2 if self.lstm.bidirectional else 1)
        rows = [("lstm (LSTM)", (None, width), self.lstm)]
        if self.embedding is not None:
            size = (None, length, self.embedding.embedding_dim)
            rows.insert(0, ("embedding (Embedding)", size, self.embedding))
        elif self.tokens:
            size = (None, length, self.lstm.input_size)
            rows.insert(0, ("one_hot (OneHot)", size, None))
        if self.dropout.p > 0:
            rows.append(("dropout (Dropout)", (None, width), None))
        rows.append(("head (Linear)", (None, self.head.out_features), self.head))
        lines = [f"{'Layer (type)':<22}{'Output Shape':<20}{'Param #':>9}", "=" * 51]
        for name, shape, layer in rows:
            count = sum(p.numel() for p in layer.parameters()) if layer else 0
            lines.append(f"{name:<22}{shape!s:<20}{count:>9,}")
        total = sum(p.numel() for p in self.parameters())
        trainable = sum(p.numel() for p in self.parameters() if p.requires_grad)
        lines += [
            "=" * 51,
            f"Total params: {total:,}",
            f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}",
            f"Input shape: (None, {length})"
            if self.tokens
            else f"Input shape: (None, {length}, {self.lstm.input_size})",
        ]
        return "\n".join(lines)


def init_forget_bias(lstm, value):
    """Set the forget-gate bias of every layer and direction of ``lstm`` to ``value``.

    ``bias_ih`` holds it; the forget part of ``bias_hh`` starts at 0.
    """
    hidden = lstm.hidden_size
    # torch orders the gates input, forget, cell, output in each bias vector.
    forget = slice(hidden, 2 * hidden)
    with torch.no_grad():
        for name, param in lstm.named_parameters():
            if name.startswith("bias_ih"):
                param[forget] = float(value)
            elif name.startswith("bias_hh"):
                param[forget] = 0.0


def init_chrono(lstm, t_max):
    """Chrono-initialise the gate biases of every layer and direction of ``lstm``.

    Tallec & Ollivier (2018), "Can recurrent neural networks warp time?":
    the forget-gate bias ``b_f ~ log(U(1, t_max - 1))`` gives unit ``j`` a
    memory time scale of about ``exp(b_f[j])`` steps, spread over
    ``[1, t_max - 1]``; the input-gate bias ``-b_f`` lets the slow units
    take in little at each step.  The draws come from torch's global
    generator, one vector per layer and direction.
    """
    hidden = lstm.hidden_size
    high = max(float(t_max) - 1.0, 1.0)
    with torch.no_grad():
        for name, param in lstm.named_parameters():
            if name.startswith("bias_ih"):
                forget = torch.empty(hidden).uniform_(1.0, high).log_()
                param[hidden : 2 * hidden] = forget
                param[:hidden] = -forget
            elif name.startswith("bias_hh"):
                param[: 2 * hidden] = 0.0


def last_states(lstm, X, lengths, bidirectional, start=None):
    """Return each sequence's last state of an LSTM's last layer, padding skipped.

    ``lstm`` is called as ``nn.LSTM`` (batch first) on X (batch, length,
    input_size) whose sequence ``i`` is ``X[i, :lengths[i]]``.  One direction
    reads the padded block as it is and its output is taken at each
    sequence's last step (the steps before it do not depend on the padding
    after it); two directions read a packed sequence, so that the backward
    direction starts at each sequence's own end.
    """
    if not bidirectional:
        output, _ = lstm(X, start)
        rows = torch.arange(len(output), device=output.device)
        return output[rows, lengths - 1]
    packed = pack_padded_sequence(
        X, lengths.cpu(), batch_first=True, enforce_sorted=False
    )
    _, (h_n, _) = lstm(packed, start)
    return torch.cat([h_n[-2], h_n[-1]], dim=1)


class _OwnLayers:
    """An LSTMModule's own layers, as training runs them (float32, autograd)."""

    def __init__(self, module):
        self.module = module
        self.lstm = module.lstm
        self.steps = module.steps
        self.mean_input = module.mean_input

    def head(self, states):
        return self.module.head(self.module.dropout(states))


class Float64Layers:
    """Float64 copies of an LSTMModule's layers, for prediction.

    Each prediction call (:meth:`LSTMModule.float64_predictor`) makes its own copies of
    the weights (a few microseconds for the default sizes), so nothing is
    shared between threads and nothing goes stale when training changes the
    weights.  The LSTM runs through ``torch.lstm``, the operator that
    ``nn.LSTM.forward`` calls, with the copied weights, in inference (no
    dropout).
    """

    def __init__(self, module):
        lstm = module.lstm
        self.dtype = torch.float64
        # MPS has no float64: the copies of a model there live on the CPU.
        self.device = float64_device(module.head.weight.device)
        copy = {"dtype": self.dtype, "device": self.device}
        self.num_layers = lstm.num_layers
        self.bidirectional = lstm.bidirectional
        self.hidden_size = lstm.hidden_size
        self.input_size = lstm.input_size
        self.weights = [w.to(**copy) for ws in lstm.all_weights for w in ws]
        _flatten_for_cudnn(self.weights, lstm)
        self.head_weight = module.head.weight.to(**copy)
        self.head_bias = module.head.bias.to(**copy)
        self.tokens = module.tokens
        self.embedding = (
            None if module.embedding is None else module.embedding.weight.to(**copy)
        )
        self.mean_step = module.mean_step.to(**copy)

    def steps(self, X):
        if self.embedding is not None:
            return functional.embedding(X, self.embedding)
        if self.tokens:
            return _one_hot_rows(X, self.input_size, self.head_weight)
        return X.to(self.dtype)

    def mean_input(self):
        if self.embedding is not None:
            return self.mean_step @ self.embedding
        if self.tokens:
            return self.mean_step[:-1]
        return self.mean_step

    def lstm(self, X, hx=None):
        """``nn.LSTM``'s call (batch first), on the float64 weights."""
        packed = isinstance(X, PackedSequence)
        data = X.data if packed else X
        batch = int(X.batch_sizes[0]) if packed else len(X)
        if hx is None:
            directions = 1 + self.bidirectional
            zeros = data.new_zeros(
                (self.num_layers * directions, batch, self.hidden_size)
            )
            hx = (zeros, zeros)
        elif packed and X.sorted_indices is not None:
            # nn.LSTM's permute_hidden: the state follows the packed order.
            hx = tuple(h.index_select(1, X.sorted_indices) for h in hx)
        config = (True, self.num_layers, 0.0, False, self.bidirectional)
        if not packed:
            output, h, c = torch.lstm(X, hx, self.weights, *config, True)
            return output, (h, c)
        output, h, c = torch.lstm(data, X.batch_sizes, hx, self.weights, *config)
        if X.unsorted_indices is not None:
            h = h.index_select(1, X.unsorted_indices)
            c = c.index_select(1, X.unsorted_indices)
        packed_output = PackedSequence(
            output, X.batch_sizes, X.sorted_indices, X.unsorted_indices
        )
        return packed_output, (h, c)

    def head(self, states):
        return functional.linear(states, self.head_weight, self.head_bias)


def float64_device(device):
    """Return the device that computes a model on ``device`` in float64.

    The device itself, except Apple's MPS, which has no float64: a model
    there predicts on the CPU.
    """
    return torch.device("cpu") if device.type == "mps" else device


def _flatten_for_cudnn(weights, lstm):
    """Lay copied LSTM weights out in one buffer, as cuDNN reads them.

    What ``nn.LSTM.flatten_parameters`` does for the module's own weights;
    without it cuDNN warns at every call that the weights "are not part of
    single contiguous chunk of memory" and copies them itself.  A no-op off
    CUDA.
    """
    first = weights[0]
    if not (
        first.is_cuda
        and torch.backends.cudnn.is_acceptable(first)
        and torch._use_cudnn_rnn_flatten_weight()
    ):
        return
    from torch.backends.cudnn import rnn

    with torch.no_grad(), torch.cuda.device_of(first):
        torch._cudnn_rnn_flatten_weight(
            weights,
            4,
            lstm.input_size,
            rnn.get_cudnn_mode("LSTM"),
            lstm.hidden_size,
            0,
            lstm.num_layers,
            True,
            bool(lstm.bidirectional),
        )


def _one_hot_rows(X, width, like):
    """Return the one-hot steps of tokens X: identity rows, the last all zero."""
    eye = torch.eye(width + 1, width, dtype=like.dtype, device=like.device)
    return functional.embedding(X, eye)


def check_network_size(
    input_size, n_outputs, *, hidden_size, num_layers, bidirectional, burn_in, tokens
):
    """Refuse a network whose weights alone would not fit in memory.

    Raises ``check_allocation``'s ``ValueError``, which gives the size,
    before torch is asked for the memory.
    """
    directions = 1 + bool(bidirectional)
    count = 0
    layer_input = input_size
    for _ in range(num_layers):
        count += directions * 4 * hidden_size * (layer_input + hidden_size + 2)
        layer_input = hidden_size * directions
    count += (layer_input + 1) * n_outputs
    if tokens and uses_lookup(input_size, hidden_size, directions == 2):
        # The lookup, and the selector of the first layer's new input.
        count += (input_size + 1) * 4 * hidden_size * directions
        count += directions * (4 * hidden_size) ** 2 * directions
    # Weights, gradients and the optimizer's state: about four copies.
    check_allocation((4, count), np.float32, "The network's parameters")
    if burn_in:
        # The burn-in reads its steps for one sequence; each step leaves an
        # output and gates behind: about 5 * hidden values per direction.
        check_allocation(
            (burn_in, 5 * hidden_size * directions),
            np.float32,
            "The burn-in's steps",
        )


def uses_lookup(input_size, hidden_size, bidirectional):
    """Whether a token module of this shape looks its tokens up (``lookup=None``).

    The one-hot way multiplies each step of ``input_size`` values by the first
    layer's input weights; the lookup way multiplies a looked-up projection of
    ``4 * hidden_size`` values per direction by a fixed selector.  The lookup
    is chosen where the vocabulary (the unknown token included) is wider.
    """
    gates = 4 * hidden_size * (2 if bidirectional else 1)
    return input_size + 1 > gates


class MultiOutputCrossEntropy(nn.Module):
    """The mean over targets of the cross-entropy of each target's logits.

    The head of a multi-output classifier returns the logits of every target
    side by side: ``sizes[j]`` columns for target ``j``.  With one target this
    is ``nn.CrossEntropyLoss``; the mean (not the sum) keeps the loss on the
    scale of one target's, so the learning rate means the same for any
    number of targets.

    Parameters
    ----------
    sizes : list of int
        The number of classes of each target.
    """

    def __init__(self, sizes):
        super().__init__()
        self.sizes = [int(size) for size in sizes]

    def forward(self, logits, y):
        """Return the loss of logits (batch, sum(sizes)) for labels (batch, k)."""
        blocks = logits.split(self.sizes, dim=1)
        losses = [
            functional.cross_entropy(block, y[:, j]) for j, block in enumerate(blocks)
        ]
        return torch.stack(losses).mean()

    def per_row(self, logits, y):
        """Return each row's loss: the mean over targets of its cross-entropies."""
        blocks = logits.split(self.sizes, dim=1)
        losses = [
            functional.cross_entropy(block, y[:, j], reduction="none")
            for j, block in enumerate(blocks)
        ]
        return torch.stack(losses).mean(dim=0)


def weighted_loss(criterion, y_pred, y, weights):
    """Return a batch's weighted loss: ``mean(weights * loss per row)``.

    ``criterion`` is the net's loss (``nn.CrossEntropyLoss``, ``nn.MSELoss``
    or :class:`MultiOutputCrossEntropy`), whose mean over rows this weights;
    the squared error of a row is its mean over targets, as ``nn.MSELoss``'s
    mean over a batch is.  The weights have a mean of 1 over the training
    rows (:func:`~sklearn_echo._weights.scaled`), so an epoch's batches
    average to the weighted mean of the loss.
    """
    if isinstance(criterion, MultiOutputCrossEntropy):
        per_row = criterion.per_row(y_pred, y)
    elif isinstance(criterion, nn.CrossEntropyLoss):
        per_row = functional.cross_entropy(y_pred, y, reduction="none")
    elif isinstance(criterion, nn.MSELoss):
        per_row = ((y_pred - y) ** 2).mean(dim=1)
    else:
        raise TypeError(f"No weighted form of the loss {type(criterion).__name__}.")
    return (weights * per_row).mean()
