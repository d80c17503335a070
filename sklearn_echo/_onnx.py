"""ONNX graphs of fitted models, written from their weights with ``onnx.helper``.

The graph is built node by node from the fitted ``LSTMModule``, not traced
through ``torch.onnx.export``: the module is a standard ONNX ``LSTM`` per
layer (batch and length dynamic, ``sequence_lens`` for sequences of
different lengths), a ``Gather`` for tokens and a ``Gemm`` head, so nothing
depends on torch's exporters (the TorchScript one is deprecated, the
``torch.export`` one needs onnxscript) and the input is what the Python
object takes.  Opset 17, which every current runtime reads.

ONNX runtimes run the ``LSTM`` operator in float32 (onnxruntime has no
float64 kernel), where the Python objects predict in float64: the outputs
agree to float32 rounding.
"""

import json

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from sklearn_echo._classifier import LSTMClassifier
from sklearn_echo._module import Float64Layers
from sklearn_echo._regressor import LSTMRegressor
from sklearn_echo._token_classifier import TokenLSTMClassifier
from sklearn_echo._transformer import OneHotSequenceTransformer

OPSET = 17
# torch orders an LSTM's gates input, forget, cell, output; ONNX input,
# output, forget, cell.
_TORCH_TO_ONNX_GATES = (0, 3, 1, 2)


class _Graph:
    """Nodes, constants and value names of the graph under construction."""

    def __init__(self, onnx):
        self.onnx = onnx
        self.nodes = []
        self.initializers = []
        self._count = 0

    def name(self, hint):
        self._count += 1
        return f"{hint}_{self._count}"

    def constant(self, array, hint):
        name = self.name(hint)
        self.initializers.append(
            self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name)
        )
        return name

    def node(self, op, inputs, hint, n_outputs=1, **attributes):
        outputs = [self.name(f"{hint}") for _ in range(n_outputs)]
        self.nodes.append(self.onnx.helper.make_node(op, inputs, outputs, **attributes))
        return outputs[0] if n_outputs == 1 else outputs


def _parts(obj):
    """Return (estimator, transformer or None, token input) of an exportable obj."""
    if isinstance(obj, Pipeline):
        steps = [step for _, step in obj.steps if step not in (None, "passthrough")]
        if (
            len(steps) == 2
            and type(steps[0]) is OneHotSequenceTransformer
            and type(steps[1]) in (LSTMClassifier, LSTMRegressor)
        ):
            return steps[1], steps[0], True
    elif type(obj) in (LSTMClassifier, LSTMRegressor):
        return obj, None, False
    elif type(obj) is TokenLSTMClassifier:
        return obj, None, True
    raise TypeError(
        "export_onnx exports a fitted TokenLSTMClassifier, LSTMClassifier or "
        "LSTMRegressor, or a Pipeline of a OneHotSequenceTransformer and one of "
        f"the last two; got {_describe(obj)}."
    )


def _describe(obj):
    if isinstance(obj, Pipeline):
        names = ", ".join(type(step).__name__ for _, step in obj.steps)
        return f"a Pipeline of {names}"
    return f"a {type(obj).__name__}"


def build(obj, *, lengths=False):
    """Return the ONNX model (a ``ModelProto``) of fitted ``obj``."""
    import onnx
    from onnx import TensorProto, helper

    estimator, encoder, tokens = _parts(obj)
    check_is_fitted(estimator)
    if encoder is not None:
        check_is_fitted(encoder)
        if encoder.vocabulary_size_ != estimator.input_size_:
            raise ValueError(
                f"The Pipeline's OneHotSequenceTransformer makes "
                f"{encoder.vocabulary_size_} features per step, but its "
                f"{type(estimator).__name__} was fitted on {estimator.input_size_}."
            )
    module = estimator.net_.module_
    graph = _Graph(onnx)
    if tokens:
        inputs = [
            helper.make_tensor_value_info(
                "tokens", TensorProto.INT64, ["batch", "length"]
            )
        ]
        steps = _token_steps(graph, module, estimator.input_size_, "tokens")
        like = "tokens"
    else:
        inputs = [
            helper.make_tensor_value_info(
                "steps",
                TensorProto.FLOAT,
                ["batch", "length", estimator.input_size_],
            )
        ]
        steps, like = "steps", "steps"
    sequence_lens = ""
    if lengths:
        inputs.append(
            helper.make_tensor_value_info("lengths", TensorProto.INT64, ["batch"])
        )
        sequence_lens = graph.node(
            "Cast", ["lengths"], "sequence_lens", to=TensorProto.INT32
        )
    last = _lstm_layers(graph, module, steps, like, sequence_lens)
    weight = module.head.weight.detach().cpu().numpy().astype(np.float32)
    bias = module.head.bias.detach().cpu().numpy().astype(np.float32)
    logits = graph.node(
        "Gemm",
        [
            last,
            graph.constant(weight, "head_weight"),
            graph.constant(bias, "head_bias"),
        ],
        "logits",
        transB=1,
    )
    outputs = _outputs(graph, estimator, logits, helper, TensorProto)
    model = helper.make_model(
        helper.make_graph(
            graph.nodes,
            f"sklearn_echo_{type(obj).__name__}",
            inputs,
            outputs,
            initializer=graph.initializers,
        ),
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="sklearn_echo",
        doc_string=_doc(obj, tokens, lengths),
    )
    onnx.helper.set_model_props(model, _metadata(estimator))
    onnx.checker.check_model(model, full_check=True)
    return model


def _token_steps(graph, module, vocabulary_size, tokens):
    """Return the steps of int64 ``tokens``: rows of a table, unknown ones zero.

    The table is the one-hot module's identity (with an all-zero row for the
    unknown token) or the token module's embedding (whose last row is the
    unknown token's).  Tokens outside ``[0, vocabulary_size)`` read the last
    row: the graph cannot raise, so it treats them as
    ``handle_unknown='ignore'`` does.
    """
    if module.embedding is not None:
        table = module.embedding.weight.detach().cpu().numpy().astype(np.float32)
    else:
        table = np.eye(vocabulary_size + 1, vocabulary_size, dtype=np.float32)
    unknown = graph.constant(np.array(vocabulary_size, np.int64), "unknown_token")
    zero = graph.constant(np.array(0, np.int64), "zero")
    outside = graph.node(
        "Or",
        [
            graph.node("Less", [tokens, zero], "negative"),
            graph.node("GreaterOrEqual", [tokens, unknown], "too_large"),
        ],
        "outside",
    )
    index = graph.node("Where", [outside, unknown, tokens], "token_index")
    return graph.node(
        "Gather", [graph.constant(table, "step_table"), index], "token_steps", axis=0
    )


def _lstm_layers(graph, module, steps, like, sequence_lens):
    """Add one ONNX LSTM per layer; return the last layer's final states."""
    lstm = module.lstm
    directions = 2 if lstm.bidirectional else 1
    hidden = lstm.hidden_size
    start = _start_cell_state(module)
    # (length, batch, features): ONNX's default layout, which every runtime
    # implements (onnxruntime does not implement batch-first LSTMs).
    X = graph.node("Transpose", [steps], "time_major", perm=[1, 0, 2])
    initial = ["", ""]
    if start is not None:
        batch = graph.node("Shape", [like], "batch", start=0, end=1)
        shape = graph.node(
            "Concat",
            [
                graph.constant(np.array([directions], np.int64), "directions"),
                batch,
                graph.constant(np.array([hidden], np.int64), "hidden"),
            ],
            "state_shape",
            axis=0,
        )
        zeros = graph.constant(np.zeros((directions, 1, hidden), np.float32), "h0")
        initial_h = graph.node("Expand", [zeros, shape], "initial_h")
    for layer in range(lstm.num_layers):
        W, R, B = _layer_weights(lstm, layer, directions)
        if start is not None:
            cell = start[layer * directions : (layer + 1) * directions]
            initial_c = graph.node(
                "Expand", [graph.constant(cell, f"c0_l{layer}"), shape], "initial_c"
            )
            initial = [initial_h, initial_c]
        Y, Y_h = graph.node(
            "LSTM",
            [
                X,
                graph.constant(W, f"W_l{layer}"),
                graph.constant(R, f"R_l{layer}"),
                graph.constant(B, f"B_l{layer}"),
                sequence_lens,
                *initial,
            ],
            f"lstm_l{layer}",
            n_outputs=2,
            hidden_size=hidden,
            direction="bidirectional" if directions == 2 else "forward",
        )
        # Y is (length, directions, batch, hidden); the next layer reads the
        # directions side by side, forward first, as torch does.
        X = graph.node(
            "Reshape",
            [
                graph.node("Transpose", [Y], "steps_out", perm=[0, 2, 1, 3]),
                graph.constant(np.array([0, 0, -1], np.int64), "shape"),
            ],
            "layer_out",
        )
    # Y_h (directions, batch, hidden): the forward state at each sequence's
    # end and the backward one at its start.
    return graph.node(
        "Reshape",
        [
            graph.node("Transpose", [Y_h], "last_states", perm=[1, 0, 2]),
            graph.constant(np.array([0, -1], np.int64), "shape"),
        ],
        "last",
    )


def _layer_weights(lstm, layer, directions):
    """Return ONNX's W, R, B of one layer, gates reordered."""
    Ws, Rs, Bs = [], [], []
    for suffix in ["", "_reverse"][:directions]:

        def weight(kind, suffix=suffix):
            value = getattr(lstm, f"{kind}_l{layer}{suffix}").detach().cpu()
            blocks = value.to(torch.float32).numpy().reshape(4, lstm.hidden_size, -1)
            return blocks[list(_TORCH_TO_ONNX_GATES)].reshape(4 * lstm.hidden_size, -1)

        Ws.append(weight("weight_ih"))
        Rs.append(weight("weight_hh"))
        Bs.append(np.concatenate([weight("bias_ih")[:, 0], weight("bias_hh")[:, 0]]))
    return np.stack(Ws), np.stack(Rs), np.stack(Bs)


def _start_cell_state(module):
    """Return the burn-in's start cell state as float32, or None without one."""
    with torch.inference_mode():
        start = module.start_state(Float64Layers(module))
    if start is None:
        return None
    return start[1].cpu().numpy().astype(np.float32)


def _label_type(labels, TensorProto):
    """Return (ONNX type, numpy labels) for a target's classes, or None."""
    kind = labels.dtype.kind
    if kind in "iu":
        return TensorProto.INT64, labels.astype(np.int64)
    if kind == "b":
        return TensorProto.BOOL, labels
    if kind == "f":
        return TensorProto.DOUBLE, labels.astype(np.float64)
    if kind == "U" or (kind == "O" and all(isinstance(v, str) for v in labels)):
        return TensorProto.STRING, labels.astype(object)
    return None


def _outputs(graph, estimator, logits, helper, TensorProto):
    """Add the outputs: probabilities and labels, or the predicted values."""
    targets = estimator._targets
    if isinstance(estimator, LSTMRegressor):
        wide = graph.node("Cast", [logits], "wide", to=TensorProto.DOUBLE)
        values = graph.node(
            "Add",
            [
                graph.node("Mul", [wide, graph.constant(targets.scale, "scale")], "s"),
                graph.constant(targets.mean, "mean"),
            ],
            "values",
        )
        shape = ["batch"] if targets.n_outputs == 1 else ["batch", targets.n_outputs]
        if targets.n_outputs == 1:
            # One target: (batch,), as predict returns.
            axes = graph.constant(np.array([1], np.int64), "axes")
            values = graph.node("Squeeze", [values, axes], "values")
        graph.nodes.append(helper.make_node("Identity", [values], ["predictions"]))
        return [helper.make_tensor_value_info("predictions", TensorProto.DOUBLE, shape)]
    sizes = targets.sizes
    classes = targets.classes if targets.multi_output else [targets.classes]
    if len(sizes) > 1:
        blocks = graph.node(
            "Split",
            [logits, graph.constant(np.array(sizes, np.int64), "sizes")],
            "target_logits",
            n_outputs=len(sizes),
            axis=1,
        )
        suffixes = [f"_{j}" for j in range(len(sizes))]
    else:
        blocks, suffixes = [logits], [""]
    outputs = []
    for block, labels, size, suffix in zip(
        blocks, classes, sizes, suffixes, strict=True
    ):
        proba = f"probabilities{suffix}"
        graph.nodes.append(helper.make_node("Softmax", [block], [proba], axis=1))
        outputs.append(
            helper.make_tensor_value_info(proba, TensorProto.FLOAT, ["batch", size])
        )
        typed = _label_type(labels, TensorProto)
        if typed is None:
            continue
        onnx_type, values = typed
        best = graph.node("ArgMax", [block], "best", axis=1, keepdims=0)
        label = f"label{suffix}"
        table = graph.name("classes")
        graph.initializers.append(
            helper.make_tensor(
                table,
                onnx_type,
                [len(values)],
                [str(v).encode() for v in values]
                if onnx_type == TensorProto.STRING
                else values.tolist(),
            )
        )
        graph.nodes.append(helper.make_node("Gather", [table, best], [label], axis=0))
        outputs.append(helper.make_tensor_value_info(label, onnx_type, ["batch"]))
    return outputs


def _metadata(estimator):
    targets = estimator._targets
    if isinstance(estimator, LSTMRegressor):
        return {"n_outputs": str(targets.n_outputs)}
    classes = targets.signature()
    return {"classes": json.dumps(classes, default=str)}


def _doc(obj, tokens, lengths):
    what = (
        "tokens: int64 (batch, length)"
        if tokens
        else "steps: float32 (batch, length, features)"
    )
    if lengths:
        what += "; lengths: int64 (batch,), each sequence's own length"
    return f"sklearn_echo {_describe(obj)}. Inputs: {what}."
