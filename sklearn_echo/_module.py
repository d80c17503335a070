"""The torch module behind LSTMClassifier."""

import torch
from torch import nn


class LSTMModule(nn.Module):
    """An LSTM over a sequence followed by a linear head on its last state.

    The module returns logits; :class:`~sklearn_echo.LSTMClassifier` trains it
    with ``CrossEntropyLoss`` and applies the softmax in ``predict_proba``.

    Parameters
    ----------
    input_size : int
        The number of features of each step (the one-hot width).
    n_classes : int
        The number of logits returned.
    hidden_size : int, default=25
        The size of the LSTM state.
    num_layers : int, default=1
        The number of stacked LSTM layers.
    dropout : float, default=0.0
        Dropout probability between stacked layers and before the head.
    bidirectional : bool, default=False
        Whether to also read the sequence backwards.
    forget_bias : float or None, default=5.0
        Initial value of the forget gate's bias (``bias_ih`` holds it, the
        forget part of ``bias_hh`` starts at 0).  A large value makes the cell
        keep its state by default, which is what lets an LSTM learn to carry a
        value over 50 steps.  ``None`` keeps torch's default initialisation.
    """

    def __init__(
        self,
        input_size,
        n_classes,
        hidden_size=25,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        forget_bias=5.0,
    ):
        super().__init__()
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
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), n_classes)
        if forget_bias is not None:
            self.init_forget_bias(forget_bias)

    def init_forget_bias(self, value):
        """Set the forget-gate bias of every layer and direction to ``value``."""
        hidden = self.lstm.hidden_size
        # torch orders the gates input, forget, cell, output in each bias vector.
        forget = slice(hidden, 2 * hidden)
        with torch.no_grad():
            for name, param in self.lstm.named_parameters():
                if name.startswith("bias_ih"):
                    param[forget] = float(value)
                elif name.startswith("bias_hh"):
                    param[forget] = 0.0

    def forward(self, X):
        """Return the logits (batch, n_classes) of X (batch, length, input_size)."""
        _, (h_n, _) = self.lstm(X)
        if self.lstm.bidirectional:
            # Last layer's forward state (end of sequence) and backward state
            # (start of sequence).
            last = torch.cat([h_n[-2], h_n[-1]], dim=1)
        else:
            last = h_n[-1]
        return self.head(self.dropout(last))

    def summary(self, length):
        """Describe the layers like Keras' ``model.summary()``.

        Parameters
        ----------
        length : int
            The sequence length, shown in the input shape.

        Returns
        -------
        text : str
            One line per layer with its output shape and parameter count, then
            the totals and the input shape.
        """
        width = self.lstm.hidden_size * (2 if self.lstm.bidirectional else 1)
        rows = [("lstm (LSTM)", (None, width), self.lstm)]
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
            f"Input shape: (None, {length}, {self.lstm.input_size})",
        ]
        return "\n".join(lines)
