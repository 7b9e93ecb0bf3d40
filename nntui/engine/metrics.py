"""Metrics. Regression: MSE on the scaled target; MAE, RMSE, R² and MAPE in original units.
Classification: accuracy, log-loss and the confusion counts (`classification_metrics`).

The formulas match scikit-learn's (MAPE as a fraction) so that numbers can be checked
against it, except where a metric is undefined: there it is None and `undefined_reasons`
says why, instead of a number that only looks like a result (scikit-learn's MAPE divides by
machine epsilon for a zero target and prints 2e+17; R² of one row is 0 by fiat).
"""

from __future__ import annotations

from typing import Any

import numpy as np

METRICS = ("mse", "mae", "rmse", "r2", "mape")


def undefined_reasons(y_raw: np.ndarray) -> dict[str, str]:
    """Metric name -> why it is undefined on these target values (empty when all are)."""
    reasons: dict[str, str] = {}
    if len(y_raw) == 0:
        return dict.fromkeys(METRICS, "no rows")
    if len(y_raw) < 2:
        reasons["r2"] = "one row: R² needs the spread of at least two targets"
    elif float(np.max(y_raw) - np.min(y_raw)) == 0.0:
        reasons["r2"] = "every target is the same: R² divides by their spread, 0"
    if np.any(y_raw == 0.0):
        reasons["mape"] = "a target is 0: MAPE divides by each target"
    return reasons


def regression_metrics(
    y_scaled: np.ndarray, pred_scaled: np.ndarray, y_raw: np.ndarray, pred_raw: np.ndarray
) -> dict[str, float | None]:
    """All metrics for one set of rows; None where a metric is undefined (see above)."""
    undefined = undefined_reasons(y_raw)
    if len(y_scaled) == 0:
        return dict.fromkeys(METRICS)
    with np.errstate(all="ignore"):
        err = pred_raw - y_raw
        values: dict[str, float | None] = {
            "mse": float(np.mean((pred_scaled - y_scaled) ** 2)),
            "mae": float(np.mean(np.abs(err))),
            "rmse": float(np.sqrt(np.mean(err**2))),
            "r2": None, "mape": None,
        }
        if "r2" not in undefined:
            ss_tot = float(np.sum((y_raw - y_raw.mean()) ** 2))
            values["r2"] = 1.0 - float(np.sum(err**2)) / ss_tot
        if "mape" not in undefined:
            values["mape"] = float(np.mean(np.abs(err) / np.abs(y_raw)))
    return values


#: Classification metrics (under --task classify), besides the regression keys (then None).
CLASS_METRICS = ("accuracy", "log_loss", "confusion")
#: A row is predicted class 1 when y_hat is above this (scikit-learn's rule: > 0.5).
THRESHOLD = 0.5


def classification_metrics(y: np.ndarray, prob: np.ndarray,
                           losses: np.ndarray) -> dict[str, Any]:
    """Accuracy, log-loss (the mean cross-entropy, computed from z: no log(0)) and the
    confusion counts {tn, fp, fn, tp} at y_hat > 0.5; the regression metrics are None.

    The same numbers as scikit-learn's accuracy_score, log_loss and confusion_matrix (its
    log_loss clips y_hat to [eps, 1 - eps]: only a saturated output differs).
    """
    values: dict[str, Any] = dict.fromkeys(METRICS)
    if len(y) == 0:
        return {**values, **dict.fromkeys(CLASS_METRICS)}
    predicted = prob > THRESHOLD
    actual = y == 1.0
    values["accuracy"] = float(np.mean(predicted == actual))
    values["log_loss"] = float(np.cumsum(losses)[-1]) / len(losses)  # the epoch loss's sum
    values["confusion"] = {
        "tn": int(np.sum(~predicted & ~actual)), "fp": int(np.sum(predicted & ~actual)),
        "fn": int(np.sum(~predicted & actual)), "tp": int(np.sum(predicted & actual))}
    return values
