#!/usr/bin/env bash
# Regenerates the PTX the GPU stages load (JIT-compiled by the driver at run time, so the machine
# running Tributary needs only the driver, no CUDA toolkit). Needs nvcc and ptxas (CUDA >= 12).
#
# Target: compute_75 / sm_75 (Turing; CUDA 13 no longer compiles for older GPUs). nvcc 13 writes
# PTX ISA 9.0, which only drivers >= 580 accept; the kernels use nothing newer than ISA 6.3 (the
# first ISA with sm_75), so the .version line is lowered to 7.0 (CUDA 11.0, driver >= 450) and
# the result is checked by assembling it with ptxas.
set -euo pipefail
cd "$(dirname "$0")"
src=src/main/cuda/tributary_kernels.cu
out=src/main/resources/dev/tributary/gpu/tributary_kernels.ptx
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nvcc -arch=compute_75 -ptx "$src" -o "$tmp/k.ptx"
sed -E 's/^\.version [0-9]+\.[0-9]+$/.version 7.0/' "$tmp/k.ptx" > "$tmp/lowered.ptx"
grep -q '^\.version 7\.0$' "$tmp/lowered.ptx"
ptxas -arch=sm_75 "$tmp/lowered.ptx" -o "$tmp/check.cubin"
cp "$tmp/lowered.ptx" "$out"
echo "wrote $out ($(grep -c '^\.visible \.entry' "$out") kernels, $(sed -n 's/^\.version //p' "$out"))"
