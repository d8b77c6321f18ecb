#!/usr/bin/env python3
"""Time the Python package `lifetimes` (0.11.3) on a customer summary file.

Usage:
    python lifetimes_anchor.py --summary FILE --models bgnbd,pnbd,gg[,mbgnbd] \
        --repeat N [--predict] [--horizon 52] [--weights] [--timeout-seconds 1800]

FILE is a CSV with the header `customer_id,frequency,recency,T,monetary_value`
(lifetimes' names; monetary_value is the mean value of the repeat purchases and
0 when frequency is 0).

For every model: the wall time of `fit` (time.perf_counter; best of N and all
N), the fitted parameters, and the total log-likelihood at lifetimes' optimum
on the ORIGINAL time scale, computed here from the fitted parameters.
lifetimes' own `_negative_log_likelihood_` is not that number: BG/NBD,
MBG/NBD and Gamma-Gamma store the MEAN negative log-likelihood, Pareto/NBD the
SUM, and the three frequency/recency models evaluate it on time rescaled by
1/max(T). It is reported raw under "lifetimesInternalNLL" for reference.

Gamma-Gamma is fitted on the customers with frequency > 0 (and a positive
monetary_value). `--weights` also fits BG/NBD, Pareto/NBD (and MBG/NBD) on the
data compressed to unique (frequency, recency, T) rows, passing the counts
through lifetimes' `weights=` argument. `--predict` times, for all customers,
P(alive) and the conditional expected number of purchases over `--horizon`
with the fitted BG/NBD, and `GammaGammaFitter.customer_lifetime_value(bgf, ...,
time=12, discount_rate=0.01, freq="W")`.

A fit that raises, returns non-finite values, or runs past --timeout-seconds
(SIGALRM; also bounds --predict) is reported as {"error": "..."} for that
model; `--skip pnbd` records {"skipped": true, "error": REASON} without
fitting. lifetimes'
Pareto/NBD draws its starting point from numpy's global RNG; it is seeded with
--seed before each fit so repeats are comparable.

Prints one JSON document on stdout; progress and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import signal
import sys
import time
import warnings

import numpy as np
import pandas as pd
import scipy
from scipy.special import gammaln, hyp2f1, logsumexp

MODEL_NAMES = ("bgnbd", "pnbd", "mbgnbd", "gg")
WEIGHTABLE = ("bgnbd", "pnbd", "mbgnbd")


class FitTimeout(Exception):
    pass


def log(msg: str) -> None:
    print(f"[lifetimes_anchor] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Log-likelihoods on the original time scale (totals over customers)
# --------------------------------------------------------------------------

def bgnbd_ll(params, x, t_x, T):
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    # ln(b + x - 1) is only used where x > 0
    A4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(alpha + t_x)
    A4 = np.where(x > 0, A4, -np.inf)
    return float(np.sum(A1 + A2 + np.logaddexp(A3, A4)))


def mbgnbd_ll(params, x, t_x, T):
    # Batislam, Denizel & Filiztekin (2007), as in lifetimes' ModifiedBetaGeoFitter
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x + 1) - gammaln(b) - gammaln(a + b + x + 1)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return float(np.sum(A1 + A2 + A3 + np.logaddexp(A4, 0.0)))


def pnbd_ll(params, x, t_x, T):
    # Fader & Hardie note 009, eq. (18)-(20); same evaluation as lifetimes.
    r, alpha, s, beta = (params[k] for k in ("r", "alpha", "s", "beta"))
    if alpha < beta:
        lo, hi, t = alpha, beta, r + x
    else:
        lo, hi, t = beta, alpha, s + 1.0
    d = hi - lo
    rsx = r + s + x
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = hyp2f1(rsx, t, rsx + 1.0, d / (hi + t_x))
        q1 = hi + t_x
        p2 = hyp2f1(rsx, t, rsx + 1.0, d / (hi + T))
        q2 = hi + T
        ones = np.ones_like(rsx, dtype=float)
        log_A0 = logsumexp(
            [np.log(p1) + rsx * np.log(q2), np.log(p2) + rsx * np.log(q1)],
            axis=0, b=[ones, -ones],
        ) - rsx * np.log(q1 * q2)
        A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        A2 = np.logaddexp(-(r + x) * np.log(alpha + T) - s * np.log(beta + T),
                          np.log(s) + log_A0 - np.log(rsx))
    return float(np.sum(A1 + A2))


def gg_ll(params, x, m):
    p, q, g = params["p"], params["q"], params["gamma"]
    px = p * x
    v = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
         + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(x * m + g))
    return float(np.sum(v))


# --------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------

@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise FitTimeout after `seconds` (SIGALRM; the fitters' optimiser loops
    are Python, so the alarm is delivered between objective evaluations)."""
    if not seconds or seconds <= 0:
        yield
        return

    def handler(signum, frame):
        raise FitTimeout()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def fitter_class(model):
    import lifetimes
    return {
        "bgnbd": lifetimes.BetaGeoFitter,
        "pnbd": lifetimes.ParetoNBDFitter,
        "mbgnbd": lifetimes.ModifiedBetaGeoFitter,
        "gg": lifetimes.GammaGammaFitter,
    }[model]


def extract_params(model, fitter):
    p = fitter.params_
    if model in ("bgnbd", "mbgnbd"):
        return {k: float(p[k]) for k in ("r", "alpha", "a", "b")}
    if model == "pnbd":
        return {k: float(p[k]) for k in ("r", "alpha", "s", "beta")}
    return {"p": float(p["p"]), "q": float(p["q"]), "gamma": float(p["v"])}


def total_ll(model, params, data):
    if model == "gg":
        return gg_ll(params, data["gg_x"], data["gg_m"])
    fn = {"bgnbd": bgnbd_ll, "pnbd": pnbd_ll, "mbgnbd": mbgnbd_ll}[model]
    return fn(params, data["x"], data["t_x"], data["T"])


_LAST_OPT = {}


def install_minimize_probe():
    """Wrap the scipy.optimize.minimize that lifetimes' fitters call so the
    optimiser's own verdict (success, iterations, evaluations) can be reported.
    lifetimes ignores it for Pareto/NBD (Nelder-Mead stopping at maxiter is
    silently accepted). The wrapper adds no measurable time."""
    import lifetimes.fitters as base
    import lifetimes.fitters.pareto_nbd_fitter as pnbd_mod

    real = base.minimize

    def probe(*a, **kw):
        res = real(*a, **kw)
        _LAST_OPT.clear()
        _LAST_OPT.update({
            "method": kw.get("method") or ("L-BFGS-B" if kw.get("bounds") else "BFGS"),
            "success": bool(getattr(res, "success", False)),
            "iterations": int(getattr(res, "nit", -1)),
            "evaluations": int(getattr(res, "nfev", -1)),
            "message": str(getattr(res, "message", "")),
        })
        return res

    base.minimize = probe
    pnbd_mod.minimize = probe


def one_fit(model, data, weighted, seed):
    """Fit once; return (seconds, fitter)."""
    cls = fitter_class(model)
    np.random.seed(seed)  # ParetoNBDFitter draws x0 from np.random
    # lifetimes prints the scipy result to stdout when a fit fails to converge;
    # keep stdout clean for the JSON document.
    with contextlib.redirect_stdout(sys.stderr):
        if model == "gg":
            t0 = time.perf_counter()
            f = cls().fit(data["gg_x"], data["gg_m"])
            dt = time.perf_counter() - t0
        elif weighted:
            w = data["w"]
            t0 = time.perf_counter()
            f = cls().fit(w["x"], w["t_x"], w["T"], weights=w["n"])
            dt = time.perf_counter() - t0
        else:
            t0 = time.perf_counter()
            f = cls().fit(data["x"], data["t_x"], data["T"])
            dt = time.perf_counter() - t0
    return dt, f


def timed_fits(model, data, repeat, timeout, weighted, seed):
    """Best-of-`repeat` fit. Returns (result dict, last fitter or None)."""
    times = []
    fitter = None
    for i in range(repeat):
        try:
            with time_limit(timeout):
                dt, fitter = one_fit(model, data, weighted, seed)
        except FitTimeout:
            return {"error": "timeout", "timeoutSeconds": timeout, "fitSecondsAll": times}, None
        except Exception as e:  # ConvergenceError, LinAlgError, ...
            msg = " ".join(f"{type(e).__name__}: {e}".split())
            return {"error": msg, "fitSecondsAll": times}, None
        times.append(dt)
        opt = dict(_LAST_OPT)
        params = extract_params(model, fitter)
        if not all(math.isfinite(v) for v in params.values()):
            return {"error": f"non-finite parameters {params}", "fitSecondsAll": times}, None
        log(f"{model}{' (weighted)' if weighted else ''} fit {i + 1}/{repeat}: {dt:.3f}s")
    res = {"fitSeconds": min(times), "fitSecondsAll": times}
    if opt:
        res["optimizer"] = opt
        res["iterations"] = opt["iterations"]
        res["converged"] = opt["success"]
    return res, fitter


def fit_model(model, data, args):
    log(f"fitting {model} on {data['n'] if model != 'gg' else len(data['gg_x'])} customers")
    res, fitter = timed_fits(model, data, args.repeat, args.timeout_seconds, False, args.seed)
    if fitter is None:
        return res, None
    params = extract_params(model, fitter)
    res["parameters"] = params
    try:
        ll = total_ll(model, params, data)
    except Exception as e:
        ll = float("nan")
        log(f"{model}: LL evaluation failed: {e}")
    if not math.isfinite(ll):
        return {"error": f"non-finite log-likelihood at lifetimes' optimum ({ll})",
                "fitSecondsAll": res["fitSecondsAll"], "parameters": params}, None
    res["logLikelihood"] = ll
    res["customersUsed"] = len(data["gg_x"]) if model == "gg" else data["n"]
    internal = getattr(fitter, "_negative_log_likelihood_", None)
    if internal is not None:
        res["lifetimesInternalNLL"] = float(internal)
    if model != "gg":
        res["lifetimesTimeScale"] = float(fitter._scale)

    if args.weights and model in WEIGHTABLE:
        wres, wfit = timed_fits(model, data, args.repeat, args.timeout_seconds, True, args.seed)
        if wfit is None:
            res["weighted"] = wres
        else:
            res["fitSecondsWeighted"] = wres["fitSeconds"]
            res["fitSecondsWeightedAll"] = wres["fitSecondsAll"]
            wp = extract_params(model, wfit)
            wl = total_ll(model, wp, data)
            res["weighted"] = {"uniqueRows": data["u"], "parameters": wp,
                               "logLikelihood": wl if math.isfinite(wl) else None}
    return res, fitter


# --------------------------------------------------------------------------
# Prediction
# --------------------------------------------------------------------------

def run_predict(bgf, ggf, data, args):
    f, r, T, m = data["s_x"], data["s_t_x"], data["s_T"], data["s_m"]
    best = None
    runs = []
    for _ in range(args.repeat):
        with contextlib.redirect_stdout(sys.stderr):
            t0 = time.perf_counter()
            palive = bgf.conditional_probability_alive(f, r, T)
            t1 = time.perf_counter()
            expected = bgf.conditional_expected_number_of_purchases_up_to_time(args.horizon, f, r, T)
            t2 = time.perf_counter()
            clv = ggf.customer_lifetime_value(bgf, f, r, T, m, time=12, discount_rate=0.01, freq="W")
            t3 = time.perf_counter()
        run = {"pAliveSeconds": t1 - t0, "expectedPurchasesSeconds": t2 - t1,
               "clvSeconds": t3 - t2, "totalSeconds": t3 - t0}
        runs.append(run)
        if best is None or run["totalSeconds"] < best["totalSeconds"]:
            best = run
    out = dict(best)
    out["totalSecondsAll"] = [x["totalSeconds"] for x in runs]
    out["customers"] = data["n"]
    out["horizon"] = args.horizon
    # Checksums so runs can be compared with Patron's predictions.
    out["sums"] = {"pAlive": float(np.nansum(palive)),
                   "expectedPurchases": float(np.nansum(expected)),
                   "clv": float(np.nansum(np.asarray(clv)))}
    return out


# --------------------------------------------------------------------------

def load(path):
    df = pd.read_csv(path)
    need = ["frequency", "recency", "T"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise SystemExit(f"{path}: missing columns {missing} (have {list(df.columns)})")
    if "monetary_value" not in df.columns:
        df["monetary_value"] = 0.0
    x = df["frequency"].to_numpy(dtype=np.int64)
    t_x = df["recency"].to_numpy(dtype=float)
    T = df["T"].to_numpy(dtype=float)
    m = df["monetary_value"].to_numpy(dtype=float)
    gg_mask = (x > 0) & (m > 0)
    comp = (df.groupby(["frequency", "recency", "T"], sort=False).size()
            .reset_index(name="n"))
    return {
        "n": len(df),
        "x": x, "t_x": t_x, "T": T, "m": m,
        "gg_x": x[gg_mask], "gg_m": m[gg_mask],
        "s_x": df["frequency"], "s_t_x": df["recency"], "s_T": df["T"],
        "s_m": df["monetary_value"],
        "u": len(comp),
        "w": {"x": comp["frequency"].to_numpy(dtype=np.int64),
              "t_x": comp["recency"].to_numpy(dtype=float),
              "T": comp["T"].to_numpy(dtype=float),
              "n": comp["n"].to_numpy(dtype=np.int64)},
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--summary", required=True)
    ap.add_argument("--models", default="bgnbd,pnbd,gg")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--predict", action="store_true")
    ap.add_argument("--horizon", type=float, default=52.0)
    ap.add_argument("--weights", action="store_true")
    ap.add_argument("--timeout-seconds", type=float, default=1800.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip", default="", help="comma-separated models to report as skipped without fitting")
    ap.add_argument("--skip-reason", default="skipped", help="text recorded for --skip models")
    ap.add_argument("--verbose", action="store_true", help="show Python warnings")
    args = ap.parse_args(argv)
    if not args.verbose:
        warnings.simplefilter("ignore")

    models = [s.strip() for s in args.models.split(",") if s.strip()]
    bad = [s for s in models if s not in MODEL_NAMES]
    if bad:
        ap.error(f"unknown model(s) {bad}; choose from {MODEL_NAMES}")
    args.repeat = max(1, args.repeat)

    import lifetimes
    install_minimize_probe()

    data = load(args.summary)
    out = {
        "package": "lifetimes",
        "version": lifetimes.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "dataset": args.summary,
        "customers": data["n"],
        "uniqueRows": data["u"],
        "repeat": args.repeat,
        "timeoutSeconds": args.timeout_seconds,
        "models": {},
    }

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    fitted = {}
    for model in models:
        if model in skip:
            out["models"][model] = {"skipped": True, "error": args.skip_reason}
            log(f"{model}: {args.skip_reason}")
            continue
        res, fitter = fit_model(model, data, args)
        out["models"][model] = res
        if fitter is not None:
            fitted[model] = fitter
        if "error" in res:
            log(f"{model}: {res['error']}")

    if args.predict:
        try:
            for need in ("bgnbd", "gg"):
                if need not in fitted:
                    if need in models:
                        raise RuntimeError(f"{need} fit failed")
                    log(f"predict: fitting {need} (untimed)")
                    _, fitted[need] = one_fit(need, data, False, args.seed)
            with time_limit(args.timeout_seconds):
                out["predict"] = run_predict(fitted["bgnbd"], fitted["gg"], data, args)
        except FitTimeout:
            out["predict"] = {"error": "timeout", "timeoutSeconds": args.timeout_seconds}
        except Exception as e:
            out["predict"] = {"error": f"{type(e).__name__}: {e}"}

    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["peakRSSBytes"] = int(ru if sys.platform == "darwin" else ru * 1024)

    def clean(o):
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list):
            return [clean(v) for v in o]
        return o

    json.dump(clean(out), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
