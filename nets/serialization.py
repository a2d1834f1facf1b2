"""Saving and loading named arrays as .npz files, safely.

A save goes to a temporary file in the same folder first and is renamed over the target only
once it is complete (`os.replace` is atomic on one file system): a crash or a full disk in the
middle leaves the old file, or none, never half a file.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from collections import OrderedDict
from typing import Mapping

import numpy as np


def save_npz(path: str, arrays: Mapping[str, np.ndarray]) -> None:
    """Write `arrays` to `path` (an .npz file) atomically.

    >>> from nets import Linear
    >>> save_npz("out/model.npz", Linear(2, 3, seed=0).state_dict())
    >>> list(load_npz("out/model.npz"))
    ['weight', 'bias']
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: folder {folder} does not exist (saving {path})")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **{key: np.asarray(value) for key, value in arrays.items()})
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def load_npz(path: str) -> "OrderedDict[str, np.ndarray]":
    """Read the arrays of an .npz file written by `save_npz`; a missing or corrupt file is an
    error that names it."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file {path}")
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise ValueError(f"load: {path} is not a readable .npz file ({error})") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):  # a .npy file holds one bare array
        raise ValueError(f"load: {path} holds a single {type(loaded).__name__}, not an .npz "
                         f"archive of named arrays (as Module.save writes)")
    try:
        with loaded as archive:
            return OrderedDict((key, archive[key]) for key in archive.files)
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise ValueError(f"load: {path} is not a readable .npz file ({error})") from None
