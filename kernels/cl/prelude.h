/* One C dialect for OpenCL C and CUDA: generator and sieve sources are written once against
 * these macros and compiled by either backend (kernels/sieve/opencl_backend.py, cuda_backend.py). */
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
/* macros, not typedefs: host headers (nvcc) may already typedef these names differently */
#define uchar unsigned char
#define uint unsigned int
#define ulong unsigned long long
#define DEVICE __device__ static inline
#define KERNEL extern "C" __global__
#define GLOBAL
#define GLOBAL_ID() (blockIdx.x * blockDim.x + threadIdx.x)
#define ATOMIC_INC(p) atomicAdd((p), 1u)
#define MUL_HI64(a, b) __umul64hi((a), (b))
#define FLOOR(x) floor(x)
#else
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define DEVICE static inline
#define KERNEL __kernel
#define GLOBAL __global
#define GLOBAL_ID() get_global_id(0)
#define ATOMIC_INC(p) atomic_inc(p)
#define MUL_HI64(a, b) mul_hi((ulong)(a), (ulong)(b))
#define FLOOR(x) floor(x)
#endif

#define MAX_REJECTIONS 4096
