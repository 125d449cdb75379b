"""Choosing a sieve backend: CUDA if a GPU is there, else the native CPU backend (the device
program built by the system C compiler for this CPU) where a C compiler with OpenMP builds it,
else OpenCL, else numpy; or by name.

Native comes before OpenCL because on CPUs it measured faster in the searches identify runs
(several offsets and draws: mt19937 2.2x, pcg64 1.7x, java_random 1.25x pocl's seeds/s in one
``benchmarks/sieve_bench.py`` run) and in one-output seed searches of generators whose seeding
is the cost (php_mt_rand, glibc_random, tinymt32, philox4x32_10, xoshiro256starstar), and its
programs build in about a second where pocl takes up to 13 s. pocl stays ahead on the cheapest
generators (java_random's single draw, xorshift32 at 0.75x to 0.65x), and ``--backend opencl``
picks it."""

from __future__ import annotations

from kernels.sieve.engine import Backend

__all__ = ["BACKEND_NAMES", "make_backend", "available_backends"]

BACKEND_NAMES = ("auto", "cuda", "opencl", "native", "numpy")


def available_backends() -> list[str]:
    """The backends this machine runs, in the order ``auto`` prefers them."""
    from kernels.sieve.cuda_backend import cuda_available
    from kernels.sieve.native_backend import native_available
    from kernels.sieve.opencl_backend import opencl_available

    names = []
    if cuda_available():
        names.append("cuda")
    if native_available():
        names.append("native")
    if opencl_available():
        names.append("opencl")
    names.append("numpy")
    return names


def make_backend(name: str = "auto") -> Backend:
    """The named backend (``auto``: the first of ``available_backends()``); ``ValueError`` if it
    is unknown or not available on this machine."""
    if name not in BACKEND_NAMES:
        raise ValueError(f"unknown backend {name!r}; choose from {', '.join(BACKEND_NAMES)}")
    available = available_backends()
    if name == "auto":
        name = available[0]
    elif name not in available:
        raise ValueError(f"backend {name!r} is not available here (available: {', '.join(available)})")
    if name == "cuda":
        from kernels.sieve.cuda_backend import CudaBackend

        return CudaBackend()
    if name == "opencl":
        from kernels.sieve.opencl_backend import OpenCLBackend

        return OpenCLBackend()
    if name == "native":
        from kernels.sieve.native_backend import NativeBackend

        return NativeBackend()
    from kernels.sieve.numpy_backend import NumpyBackend

    return NumpyBackend()
