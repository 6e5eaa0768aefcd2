#!/usr/bin/env bash
# GPU check (one H100/H200, ≤8 minutes): training tokens/s and MFU of a ~0.5B Qwen2 model in bf16, and
# hf generation throughput. Needs the project installed with the hf and train extras and a CUDA torch.
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
timeout 480 python benchmarks/gpu_check.py
