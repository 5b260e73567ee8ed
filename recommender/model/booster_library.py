"""LightGBM's predict, called in its C library directly, without importing the Python package.

`import lightgbm` also imports scikit-learn and SciPy (lightgbm/compat.py): about a second of
CPU on every `recommender recommend` start, more than the model adds to scoring 10,000
shoppers. Serving needs only two C calls, so it loads the same `lib_lightgbm` the package ships
and makes them itself: `LGBM_BoosterLoadModelFromString` and `LGBM_BoosterPredictForMat`, with
the arguments `lightgbm.Booster.predict(rows, num_threads=1)` passes for a float32 matrix. The
scores are LightGBM's own, bit for bit (tests/model/test_booster_library.py compares them).

Only a text `recommender.model.model_text_check.check_model_text` accepted is handed to it.
"""

from __future__ import annotations

import ctypes
import importlib.util
import weakref
from functools import cache
from pathlib import Path
from platform import system

import numpy as np

from recommender.errors import ModelError

__all__ = ["ServedBooster"]

_FLOAT32 = 0  # C_API_DTYPE_FLOAT32
_ROW_MAJOR = 1
_PREDICT_NORMAL = 0  # C_API_PREDICT_NORMAL: a ranking model's raw score
_ALL_ITERATIONS = -1
_PARAMETERS = b"num_threads=1"  # one thread: on a shared machine OpenMP threads mostly wait


class ServedBooster:
    """A LightGBM booster parsed from a checked model text, for prediction only."""

    def __init__(self, model_text: str) -> None:
        library = _library()
        self._handle = ctypes.c_void_p()
        iterations = ctypes.c_int(0)
        _call(
            library.LGBM_BoosterLoadModelFromString(
                ctypes.c_char_p(model_text.encode("utf-8")),
                ctypes.byref(iterations),
                ctypes.byref(self._handle),
            )
        )
        weakref.finalize(self, library.LGBM_BoosterFree, self._handle)

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """One raw score per row of `rows` (the booster's features in order)."""
        matrix = np.ascontiguousarray(rows, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError(f"rows must be a matrix, got shape {matrix.shape}")
        scores = np.empty(len(matrix), dtype=np.float64)
        if not len(matrix):
            return scores
        written = ctypes.c_int64(0)
        _call(
            _library().LGBM_BoosterPredictForMat(
                self._handle,
                matrix.ctypes.data_as(ctypes.c_void_p),
                ctypes.c_int(_FLOAT32),
                ctypes.c_int32(matrix.shape[0]),
                ctypes.c_int32(matrix.shape[1]),
                ctypes.c_int(_ROW_MAJOR),
                ctypes.c_int(_PREDICT_NORMAL),
                ctypes.c_int(0),
                ctypes.c_int(_ALL_ITERATIONS),
                ctypes.c_char_p(_PARAMETERS),
                ctypes.byref(written),
                scores.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
            )
        )
        if written.value != len(matrix):
            raise ValueError(f"LightGBM wrote {written.value} scores for {len(matrix)} rows")
        return scores


@cache
def _library() -> ctypes.CDLL:
    """The `lib_lightgbm` of the installed lightgbm package, found where its libpath looks."""
    spec = importlib.util.find_spec("lightgbm")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the lightgbm package is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    name = {"Windows": "lib_lightgbm.dll", "Darwin": "lib_lightgbm.dylib"}.get(
        system(), "lib_lightgbm.so"
    )
    for folder in (package.parent, package / "bin", package / "lib"):
        if (folder / name).is_file():
            library = ctypes.cdll.LoadLibrary(str(folder / name))
            library.LGBM_GetLastError.restype = ctypes.c_char_p
            return library
    raise ModelError(f"the lightgbm package has no {name}")


def _call(status: int) -> None:
    if status != 0:
        message = _library().LGBM_GetLastError().decode("utf-8", "replace")
        raise ModelError(f"LightGBM refused the model: {message}")
