"""Regression metrics: MSE on the scaled target; MAE, RMSE, R² and MAPE in original units.

The formulas match scikit-learn's (MAPE as a fraction, R² of a constant target is 1 for a
perfect fit and 0 otherwise) so that numbers can be checked against it.
"""

from __future__ import annotations

import numpy as np

METRICS = ("mse", "mae", "rmse", "r2", "mape")


def regression_metrics(
    y_scaled: np.ndarray, pred_scaled: np.ndarray, y_raw: np.ndarray, pred_raw: np.ndarray
) -> dict[str, float | None]:
    """All metrics for one set of rows; None for every metric when there are no rows."""
    if len(y_scaled) == 0:
        return dict.fromkeys(METRICS)
    with np.errstate(all="ignore"):
        mse = float(np.mean((pred_scaled - y_scaled) ** 2))
        err = pred_raw - y_raw
        mae = float(np.mean(np.abs(err)))
        rmse = float(np.sqrt(np.mean(err**2)))
        ss_res = float(np.sum(err**2))
        ss_tot = float(np.sum((y_raw - y_raw.mean()) ** 2))
        if ss_tot == 0.0:
            r2 = 1.0 if ss_res == 0.0 else 0.0
        else:
            r2 = 1.0 - ss_res / ss_tot
        eps = np.finfo(float).eps
        mape = float(np.mean(np.abs(err) / np.maximum(np.abs(y_raw), eps)))
    return {"mse": mse, "mae": mae, "rmse": rmse, "r2": r2, "mape": mape}
