#!/usr/bin/env bash
# One step on a machine with a CUDA GPU (driver installed; no CUDA toolkit needed): builds the
# modules GPU stages need, runs the device tests (which must not be skipped here) and the GPU
# stage tests, then the MLP inference sample, and prints
#   - host<->device copy GB/s (CudaDeviceTest; pageable Arrow memory),
#   - the MLP sample's rows/s on the GPU stage and on the CPU stage in the same run.
# Usage: gpu/device-check.sh [rows]   (default 2000000; MVN_FLAGS=-o builds offline)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-2000000}"

# The copy figures compare with the link's nominal bandwidth: PCIe gen 4 x16 ~32 GB/s, gen 5 x16
# ~64 GB/s per direction (pinned memory reaches ~80-90% of it; Arrow's pageable memory less).
echo "== GPU (name, driver, memory, PCIe gen/width max): $(nvidia-smi \
  --query-gpu=name,driver_version,memory.total,pcie.link.gen.max,pcie.link.width.max \
  --format=csv,noheader 2>/dev/null || echo 'nvidia-smi not found')"

echo "== device tests (gpu: CudaDeviceTest, GpusTest; reactive-core: GpuStageTest; samples: MlpInferenceTest)"
mvn -B -q ${MVN_FLAGS:-} -pl gpu,reactive-core,samples -am test \
  -Dtest='CudaDeviceTest,GpusTest,DeviceArenaTest,HostDeviceTest,GpuStageTest,MlpInferenceTest' \
  -Dsurefire.failIfNoSpecifiedTests=false

report=gpu/target/surefire-reports/TEST-dev.tributary.gpu.CudaDeviceTest.xml
if grep -q '<skipped' "$report"; then
  echo "FAIL: the CUDA device tests were skipped; the reason:" >&2
  grep -o 'no usable CUDA device[^"]*' "$report" | head -1 >&2
  exit 1
fi
echo "== CUDA device tests ran: $(grep -o 'tests="[0-9]*"' "$report" | head -1), none skipped"
grep -h '^COPY' gpu/target/surefire-reports/dev.tributary.gpu.CudaDeviceTest-output.txt \
  || echo "(no copy figure found)"

echo "== MLP inference sample, ${rows} rows"
mvn -B -q ${MVN_FLAGS:-} -Prun -DskipTests package -pl samples -am \
  -Dsample.main="dev.tributary.samples.MlpInference ${rows}" 2>&1 \
  | grep -E '^(MLP|check|GPU stage|CPU stage)'
