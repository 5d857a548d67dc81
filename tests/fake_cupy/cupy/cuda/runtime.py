"""cupy.cuda.runtime: the stand-in reports one device (and no driver to launch kernels on)."""


def getDeviceCount() -> int:  # noqa: N802 - CuPy's name
    return 1


def driverGetVersion() -> int:  # noqa: N802
    return 12090


def runtimeGetVersion() -> int:  # noqa: N802
    return 12090
