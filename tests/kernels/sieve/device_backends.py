"""The CPU device backends of this machine, for tests that hold every backend to the reference."""

from __future__ import annotations

import pytest

from kernels.sieve.backends import Backend
from kernels.sieve.native_backend import native_available
from kernels.sieve.opencl_backend import opencl_available

#: the device backends that run on a CPU (CUDA has its own test file)
CPU_DEVICE_BACKENDS = ["opencl", "native"]


def cpu_device_backend(name: str) -> Backend:
    """The backend called ``name``, or a skip saying why this machine has none."""
    if name == "opencl":
        if not opencl_available():
            pytest.skip("no OpenCL device")
        from kernels.sieve.opencl_backend import OpenCLBackend

        return OpenCLBackend()
    if not native_available():
        pytest.skip("no C compiler with OpenMP to build the native backend")
    from kernels.sieve.native_backend import NativeBackend

    return NativeBackend()
