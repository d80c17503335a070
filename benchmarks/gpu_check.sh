#!/usr/bin/env bash
# The prepared GPU check (for a session lent a GPU machine through the device tool):
# install, run the suite's CUDA tests, then the tutorial-config seed sweep on the GPU.
# Prints everything; about 5 minutes on one H100/H200-class GPU.
set -uo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[tests]" 2>&1 | tail -n 2
python -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
python -m pytest -q -p no:cacheprovider -k "cuda or gpu" -rs tests
python benchmarks/bench_learning.py echo --config tutorial --seeds 5 --device cuda --threads 4
