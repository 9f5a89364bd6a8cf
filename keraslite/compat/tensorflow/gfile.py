"""`tf.io.gfile` (also `tf.io.gfile.GFile`): local file operations with TensorFlow's names."""

from __future__ import annotations

import glob as _glob
import os
import shutil

from keraslite.compat.tensorflow.missing import module_getattr

__getattr__ = module_getattr("tf.io.gfile")

GFile = open


def exists(path) -> bool:
    return os.path.exists(path)


def isdir(path) -> bool:
    return os.path.isdir(path)


def listdir(path) -> list:
    return os.listdir(path)


def glob(pattern) -> list:
    return sorted(_glob.glob(pattern))


def makedirs(path) -> None:
    os.makedirs(path, exist_ok=True)


def mkdir(path) -> None:
    os.mkdir(path)


def remove(path) -> None:
    os.remove(path)


def rmtree(path) -> None:
    shutil.rmtree(path)


def copy(src, dst, overwrite=False) -> None:
    if os.path.exists(dst) and not overwrite:
        raise FileExistsError(f"{dst} exists (pass overwrite=True to replace it).")
    shutil.copyfile(src, dst)


def rename(src, dst, overwrite=False) -> None:
    if os.path.exists(dst) and not overwrite:
        raise FileExistsError(f"{dst} exists (pass overwrite=True to replace it).")
    os.replace(src, dst)


def walk(top, topdown=True, onerror=None):
    return os.walk(top, topdown=topdown, onerror=onerror)


def stat(path):
    return os.stat(path)
