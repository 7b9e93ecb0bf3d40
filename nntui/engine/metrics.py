"""Regression metrics: MSE on the scaled target; MAE, RMSE, R² and MAPE in original units.

The formulas match scikit-learn's (MAPE as a fraction) so that numbers can be checked
against it, except where a metric is undefined: there it is None and `undefined_reasons`
says why, instead of a number that only looks like a result (scikit-learn's MAPE divides by
machine epsilon for a zero target and prints 2e+17; R² of one row is 0 by fiat).
"""

from __future__ import annotations

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
