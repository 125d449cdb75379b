"""Choosing a sieve backend: CUDA if a GPU is there, else OpenCL, else numpy; or by name
(``native``: the device program built by the system C compiler for this CPU)."""

from __future__ import annotations

from kernels.sieve.engine import Backend

__all__ = ["BACKEND_NAMES", "make_backend", "available_backends"]

BACKEND_NAMES = ("auto", "cuda", "opencl", "native", "numpy")


def available_backends() -> list[str]:
    from kernels.sieve.cuda_backend import cuda_available
    from kernels.sieve.native_backend import native_available
    from kernels.sieve.opencl_backend import opencl_available

    names = []
    if cuda_available():
        names.append("cuda")
    if opencl_available():
        names.append("opencl")
    if native_available():
        names.append("native")
    names.append("numpy")
    return names


def make_backend(name: str = "auto") -> Backend:
    """The named backend; ``ValueError`` if it is unknown or not available on this machine."""
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
