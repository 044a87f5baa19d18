// Tributary's GPU kernels, shipped as PTX (src/main/resources/dev/tributary/gpu/tributary_kernels.ptx)
// and JIT-compiled by the driver: the host needs no CUDA toolkit. Regenerate with gpu/ptx.sh.
// Matrices are column-major (an Arrow column is a contiguous run of one matrix column).

#define ELEMENTWISE(NAME, T, EXPR)                                                   \
  extern "C" __global__ void NAME(const T* a, const T* b, T* out, long long n) {    \
    long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x;                \
    long long stride = (long long) gridDim.x * blockDim.x;                          \
    for (; i < n; i += stride) {                                                    \
      T x = a[i];                                                                   \
      T y = b[i];                                                                   \
      out[i] = EXPR;                                                                \
    }                                                                               \
  }

ELEMENTWISE(add_f32, float, x + y)
ELEMENTWISE(sub_f32, float, x - y)
ELEMENTWISE(mul_f32, float, x * y)
ELEMENTWISE(div_f32, float, x / y)
ELEMENTWISE(add_f64, double, x + y)
ELEMENTWISE(sub_f64, double, x - y)
ELEMENTWISE(mul_f64, double, x * y)
ELEMENTWISE(div_f64, double, x / y)

#define TILE 16

// C[m x n] = A[m x k] * B[k x n], column-major, float32. The products are summed in order of p
// (one tile after the other), as the host kernel does, so results differ only by rounding
// (fused multiply-adds).
extern "C" __global__ void matmul_f32(const float* a, const float* b, float* c, int m, int k, int n) {
  __shared__ float as[TILE][TILE];
  __shared__ float bs[TILE][TILE];
  int row = blockIdx.x * TILE + threadIdx.x;
  int col = blockIdx.y * TILE + threadIdx.y;
  float sum = 0.0f;
  for (int t = 0; t < k; t += TILE) {
    int ap = t + threadIdx.y;
    int bp = t + threadIdx.x;
    as[threadIdx.y][threadIdx.x] = (row < m && ap < k) ? a[row + (long long) ap * m] : 0.0f;
    bs[threadIdx.y][threadIdx.x] = (bp < k && col < n) ? b[bp + (long long) col * k] : 0.0f;
    __syncthreads();
    for (int p = 0; p < TILE; p++) {
      sum += as[p][threadIdx.x] * bs[threadIdx.y][p];
    }
    __syncthreads();
  }
  if (row < m && col < n) {
    c[row + (long long) col * m] = sum;
  }
}

// x[m x n] += bias[n] per column, then max(x, 0) when relu != 0; column-major, float32.
extern "C" __global__ void bias_act_f32(float* x, const float* bias, int m, int n, int relu) {
  long long total = (long long) m * n;
  long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x;
  long long stride = (long long) gridDim.x * blockDim.x;
  for (; i < total; i += stride) {
    float v = x[i] + bias[i / m];
    x[i] = (relu != 0 && v < 0.0f) ? 0.0f : v;
  }
}
