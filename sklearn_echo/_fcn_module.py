"""The torch module behind the LSTM-FCN estimators (Karim et al., 2017).

A fully convolutional branch (convolution blocks with batch normalisation and
ReLU, then global average pooling over time) reads the sequence beside an
LSTM branch; their outputs are concatenated before a linear head.

Sequences of different lengths arrive zero-padded to the longest of their
batch with their ``lengths``.  Every convolution block's output is zeroed on
the padded steps, batch normalisation takes its statistics over real steps
only, and the pooling reads real steps only, so a sequence's outputs are
those it gets alone: a convolution near a sequence's end sees zeros past it,
as ``padding='same'`` gives a sequence of that length.  The pooling divides
by ``pool_length`` (the estimators' longest training sequence, when the
training sequences differ in length) or by the sequence's own length where
that is longer: a shorter sequence is averaged as if zero-padded to
``pool_length``, so that the pooled features carry its duration, as the
padding of an equal-length copy of the data would.
"""

import copy

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from sklearn_echo._module import (
    float64_device,
    init_chrono,
    init_forget_bias,
    last_states,
)
from sklearn_echo._validation import check_allocation


class LSTMFCNModule(nn.Module):
    """An LSTM and a fully convolutional network side by side, one linear head.

    Parameters
    ----------
    input_size : int
        The number of features (channels) of each step.
    n_outputs : int
        The number of outputs of the head (logits, or one value per target).
    hidden_size : int, default=8
        The size of the LSTM's state.
    num_layers : int, default=1
        The number of stacked LSTM layers.
    dropout : float, default=0.8
        Dropout on the LSTM branch's output (Karim et al. use 0.8) and between
        stacked LSTM layers.
    bidirectional : bool, default=False
        Whether the LSTM also reads the sequence backwards.
    forget_bias : float, 'chrono' or None, default='chrono'
        The LSTM's gate-bias initialisation, as in ``LSTMModule``.
    t_max : int, default=50
        The longest time scale of ``forget_bias='chrono'``.
    filters : tuple of int, default=(64, 128, 64)
        The number of filters of each convolution block (the estimators'
        default; Karim et al. use 128, 256 and 128).
    kernel_sizes : tuple of int, default=(8, 5, 3)
        The kernel size of each convolution block (``padding='same'``).
    pool_length : int or None, default=None
        The number of steps the pooling averages over: a sequence shorter
        than this is averaged as if its last block's output went on in
        zeros to ``pool_length`` steps, a longer one over its own steps.
        None averages every sequence over its own steps.  The estimators
        set it to the longest training sequence when the training sequences
        differ in length, and to None when they have one length.  It is
        kept as the buffer ``pool_length`` (0 for None), so it travels with
        the weights.
    """

    def __init__(
        self,
        input_size,
        n_outputs,
        hidden_size=8,
        num_layers=1,
        dropout=0.8,
        bidirectional=False,
        forget_bias="chrono",
        t_max=50,
        filters=(64, 128, 64),
        kernel_sizes=(8, 5, 3),
        pool_length=None,
    ):
        super().__init__()
        # Stored for LSTMModule's interface (prediction, io): no tokens, no
        # burn-in.
        self.tokens = False
        self.embedding = None
        self.burn_in = 0
        self.lstm = nn.LSTM(
            input_size,
            hidden_size,
            num_layers=num_layers,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
            batch_first=True,
        )
        self.dropout = nn.Dropout(dropout)
        convs, norms = [], []
        channels = input_size
        for width, kernel in zip(filters, kernel_sizes, strict=True):
            # No padding here: _same_padding pads each block's input as
            # padding='same' would, without torch's warning (and copy) for
            # even kernels.
            convs.append(nn.Conv1d(channels, width, kernel))
            norms.append(nn.BatchNorm1d(width))
            channels = width
        self.convs = nn.ModuleList(convs)
        self.norms = nn.ModuleList(norms)
        # A buffer, not an attribute: it is part of what a fit learns, and a
        # warm start or partial_fit keeps the first fit's (load_state_dict).
        self.register_buffer("pool_length", torch.tensor(float(pool_length or 0)))
        for conv in self.convs:
            # He (Kaiming) uniform, as the reference code's he_uniform.
            nn.init.kaiming_uniform_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
        lstm_width = hidden_size * (2 if bidirectional else 1)
        self.head = nn.Linear(lstm_width + channels, n_outputs)
        if isinstance(forget_bias, str):
            init_chrono(self.lstm, t_max)
        elif forget_bias is not None:
            init_forget_bias(self.lstm, forget_bias)

    @property
    def step_width(self):
        """The widest per-step activation: sizes prediction blocks."""
        return max(self.lstm.input_size, *(conv.out_channels for conv in self.convs))

    def forward(self, X, lengths=None):
        """Return the outputs (batch, n_outputs) of X (batch, length, input_size).

        ``lengths`` (batch,), if given, holds each sequence's own length;
        the steps after it are padding, which never reaches an output.
        """
        return _outputs(_OwnWeights(self), X, lengths)

    def recalibrate_norms(self, batches):
        """Set the batch norms' running statistics to those of ``batches``.

        Each batch (a tuple of :meth:`forward`'s arguments) runs through the
        module in training mode without gradients; the running statistics
        become the mean of the batches' statistics (``momentum=None``), over
        real steps only.  The module's mode and momenta are restored.
        """
        momenta = [norm.momentum for norm in self.norms]
        was_training = self.training
        for norm in self.norms:
            norm.reset_running_stats()
            norm.momentum = None
        self.train()
        try:
            with torch.no_grad():
                for args in batches:
                    self(*args)
        finally:
            for norm, momentum in zip(self.norms, momenta, strict=True):
                norm.momentum = momentum
            self.train(was_training)

    def float64_predictor(self):
        """Return a function of ``(X, lengths=None)``: the outputs in float64.

        The weights are copied to float64 once per prediction call; the
        module is not changed, so threads may predict at once.  Batch
        normalisation uses its running statistics and dropout is off.
        """
        weights = _Float64Weights(self)

        def predict(X, lengths=None):
            with torch.inference_mode():
                return _outputs(weights, X.to(torch.float64), lengths)

        return predict

    def predict_float64(self, X, lengths=None):
        """Return :meth:`forward`'s outputs computed in float64 (eval mode)."""
        return self.float64_predictor()(X, lengths)

    def summary(self, length):
        """Describe the layers like Keras' ``model.summary()``."""
        lstm_width = self.lstm.hidden_size * (2 if self.lstm.bidirectional else 1)
        rows = [("lstm (LSTM)", (None, lstm_width), self.lstm)]
        if self.dropout.p > 0:
            rows.append(("dropout (Dropout)", (None, lstm_width), None))
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms, strict=True)):
            shape = (None, conv.out_channels, length)
            rows.append((f"conv{i + 1} (Conv1d)", shape, conv))
            rows.append((f"norm{i + 1} (BatchNorm1d)", shape, norm))
        width = self.convs[-1].out_channels
        rows.append(("pool (GlobalAvgPool)", (None, width), None))
        rows.append(("concat (Concatenate)", (None, lstm_width + width), None))
        rows.append(("head (Linear)", (None, self.head.out_features), self.head))
        lines = [f"{'Layer (type)':<24}{'Output Shape':<20}{'Param #':>9}", "=" * 53]
        for name, shape, layer in rows:
            count = sum(p.numel() for p in layer.parameters()) if layer else 0
            lines.append(f"{name:<24}{shape!s:<20}{count:>9,}")
        total = sum(p.numel() for p in self.parameters())
        lines += [
            "=" * 53,
            f"Total params: {total:,}",
            f"Trainable params: {total:,}",
            "Non-trainable params: 0",
            f"Input shape: (None, {length}, {self.lstm.input_size})",
        ]
        if self.pool_length > 0:
            lines.append(
                f"Average over time: over {int(self.pool_length):,} steps (the "
                "longest training sequence) or a longer sequence's own"
            )
        return "\n".join(lines)


class _OwnWeights:
    """The module's own layers, as training runs them (float32, autograd)."""

    def __init__(self, module):
        self.module = module
        self.lstm = module.lstm
        self.training = module.training
        self.pool_length = module.pool_length

    def conv(self, i, x):
        conv = self.module.convs[i]
        return conv(_same_padding(x, conv.kernel_size[0]))

    def norm(self, i, x, mask, count):
        norm = self.module.norms[i]
        if not norm.training:
            return norm(x)
        if mask is None:
            if x.shape[0] * x.shape[2] > 1:
                return norm(x)
            # One value per channel, which nn.BatchNorm1d refuses to train on.
            mask = x.new_ones((x.shape[0], 1, x.shape[2]))
            count = x.new_full((x.shape[0],), x.shape[2])
        return _masked_batch_norm(norm, x, mask, count)

    def branch_dropout(self, x):
        return self.module.dropout(x)

    def head(self, x):
        return self.module.head(x)

    @property
    def n_blocks(self):
        return len(self.module.convs)


class _Float64Weights:
    """Float64 copies of an LSTMFCNModule's weights, for one prediction call."""

    def __init__(self, module):
        # MPS has no float64: the copies of a model there live on the CPU.
        device = float64_device(module.head.weight.device)

        def f64(tensor):
            return tensor.detach().to(dtype=torch.float64, device=device)

        self.lstm = copy.deepcopy(module.lstm).to(device=device, dtype=torch.float64)
        self.lstm.eval()
        self.training = False
        self.convs = [(f64(conv.weight), f64(conv.bias)) for conv in module.convs]
        self.norms = [
            (
                f64(norm.running_mean),
                f64(norm.running_var),
                f64(norm.weight),
                f64(norm.bias),
                norm.eps,
            )
            for norm in module.norms
        ]
        self.head_weight = f64(module.head.weight)
        self.head_bias = f64(module.head.bias)
        self.pool_length = f64(module.pool_length)

    def conv(self, i, x):
        weight, bias = self.convs[i]
        return functional.conv1d(_same_padding(x, weight.shape[2]), weight, bias)

    def norm(self, i, x, mask, count):
        mean, var, weight, bias, eps = self.norms[i]
        return functional.batch_norm(x, mean, var, weight, bias, False, 0.0, eps)

    def branch_dropout(self, x):
        return x

    def head(self, x):
        return functional.linear(x, self.head_weight, self.head_bias)

    @property
    def n_blocks(self):
        return len(self.convs)


def _outputs(layers, X, lengths):
    """Return the outputs for steps X (batch, length, channels) via ``layers``."""
    mask = count = None
    if lengths is not None:
        steps = torch.arange(X.shape[1], device=X.device)
        # (batch, 1, length): 1 on each sequence's real steps, 0 on padding.
        mask = (steps < lengths[:, None]).to(X.dtype)[:, None, :]
        count = lengths.to(X.dtype)
    # The LSTM branch: the last layer's state at each sequence's own end.
    if lengths is None:
        _, (h_n, _) = layers.lstm(X)
        lstm_state = (
            torch.cat([h_n[-2], h_n[-1]], dim=1)
            if layers.lstm.bidirectional
            else h_n[-1]
        )
    else:
        lstm_state = last_states(layers.lstm, X, lengths, layers.lstm.bidirectional)
    # The convolution branch reads channels first.
    h = X.transpose(1, 2)
    if mask is not None:
        # The padding of a batch repeats each sequence's last step; the
        # convolutions must see zeros there.
        h = h * mask
    for i in range(layers.n_blocks):
        h = functional.relu(layers.norm(i, layers.conv(i, h), mask, count))
        if mask is not None:
            h = h * mask
    # The average over max(own length, pool_length) steps; where the own
    # length is the larger, the divisor is exactly the mean's.
    if mask is None:
        length = h.new_tensor(float(X.shape[1]))
        pooled = h.mean(dim=2) * (length / torch.maximum(length, layers.pool_length))
    else:
        pooled = h.sum(dim=2) / torch.maximum(count, layers.pool_length)[:, None]
    features = torch.cat([layers.branch_dropout(lstm_state), pooled], dim=1)
    return layers.head(features)


def _same_padding(x, kernel):
    """Pad x (batch, channels, length) with zeros as ``padding='same'`` does.

    torch puts ``(kernel - 1) // 2`` zeros before and the rest after.
    """
    before = (kernel - 1) // 2
    return functional.pad(x, (before, kernel - 1 - before))


def _masked_batch_norm(norm, x, mask, count):
    """``norm`` in training mode, its statistics over the real steps only.

    ``mask`` (batch, 1, length) is 1 on real steps, ``count`` (batch,) the
    real steps of each sequence.  The running statistics are updated as
    ``nn.BatchNorm1d`` updates them (a cumulative average when its
    ``momentum`` is None).
    """
    n = count.sum()
    mean = (x * mask).sum(dim=(0, 2)) / n
    centred = (x - mean[None, :, None]) * mask
    var = (centred**2).sum(dim=(0, 2)) / n
    with torch.no_grad():
        norm.num_batches_tracked.add_(1)
        momentum = norm.momentum
        if momentum is None:
            momentum = 1.0 / float(norm.num_batches_tracked)
        unbiased = var * (n / (n - 1)) if n > 1 else var
        norm.running_mean.mul_(1 - momentum).add_(momentum * mean)
        norm.running_var.mul_(1 - momentum).add_(momentum * unbiased)
    scale = norm.weight / torch.sqrt(var + norm.eps)
    return (x - mean[None, :, None]) * scale[None, :, None] + norm.bias[None, :, None]


def check_fcn_size(
    input_size,
    n_outputs,
    *,
    hidden_size,
    num_layers,
    bidirectional,
    filters,
    kernel_sizes,
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
    channels = input_size
    for width, kernel in zip(filters, kernel_sizes, strict=True):
        count += width * (channels * kernel + 3)
        channels = width
    count += (layer_input + channels + 1) * n_outputs
    # Weights, gradients and the optimizer's state: about four copies.
    check_allocation((4, count), np.float32, "The network's parameters")
