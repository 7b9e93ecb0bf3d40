"""Column scaling fitted on the training rows, with its inverse (docs/design.md §2)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nntui.engine.naming import SCALINGS

__all__ = ["SCALINGS", "Scaler"]


@dataclass
class Scaler:
    """v -> (v - shift) / span per column; a constant column maps to 0 (span 1, shift v)."""

    kind: str
    shift: np.ndarray
    span: np.ndarray

    @classmethod
    def fit(cls, kind: str, values: np.ndarray) -> Scaler:
        """Fit on a 1-D or 2-D array of training values."""
        values = np.asarray(values, dtype=float)
        if kind == "minmax":
            shift = values.min(axis=0)
            span = values.max(axis=0) - shift
        elif kind == "standard":
            shift = values.mean(axis=0)
            span = values.std(axis=0)
        elif kind == "none":
            shift = np.zeros(values.shape[1:])
            span = np.ones(values.shape[1:])
        else:
            raise ValueError(f"unknown scaling {kind!r}")
        span = np.where(span == 0.0, 1.0, span)
        return cls(kind, np.asarray(shift, dtype=float), np.asarray(span, dtype=float))

    def transform(self, values: np.ndarray) -> np.ndarray:
        if self.kind == "none":
            return np.asarray(values, dtype=float).copy()
        return (np.asarray(values, dtype=float) - self.shift) / self.span

    def inverse(self, values: np.ndarray) -> np.ndarray:
        if self.kind == "none":
            return np.asarray(values, dtype=float).copy()
        with np.errstate(all="ignore"):
            return np.asarray(values, dtype=float) * self.span + self.shift
