#!/usr/bin/env bash
# The prepared GPU check (for a session lent a GPU machine through the device
# tool): the suite's CUDA tests, then a short tutorial-config seed sweep on the
# GPU.  The device machine cannot reach PyPI: skorch travels as a wheel in
# .whl/ (python3 -m pip download --no-deps -d .whl skorch==1.4.0; carry .whl),
# and the package runs from the checkout (PYTHONPATH), not installed.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site:$PWD
fi
export PYTHONUNBUFFERED=1
python3 -c "import torch, skorch, sklearn; print('torch', torch.__version__, 'skorch', skorch.__version__, 'sklearn', sklearn.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
# The image's torch_geometric, which skorch imports when present, warns a
# DeprecationWarning that the suite's filters would turn into an error.
# device="cuda", "cuda:0" and "auto" (which must pick CUDA there), weighted
# fits included.
python3 -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning \
    -k "cuda or gpu" -rs tests/test_reliability.py tests/test_serving.py \
    tests/test_weights.py tests/test_fcn.py
python3 benchmarks/bench_learning.py echo --config tutorial --seeds ${SEEDS:-3} --device cuda --threads 4
