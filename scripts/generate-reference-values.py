#!/usr/bin/env python3
"""
Generate high-precision reference values for Patron's test suite.

Computes, with mpmath at 40 significant digits, and writes as JSON into
Tests/CustomerValueTests/Fixtures/:

  pareto_nbd_reference.json       Pareto/NBD log-likelihood, its gradient w.r.t.
                                  (r, alpha, s, beta) and P(alive). The bracket
                                  integral is done by mp.quad and cross-checked
                                  against the 2F1 closed form (Fader & Hardie
                                  note 009); the gradient by differentiation under
                                  the integral sign, cross-checked with mp.diff.
  bgnbd_expectation_reference.json  BG/NBD unconditional / conditional E[X(t)].
  mbgnbd_expectation_reference.json MBG/NBD unconditional / conditional E[X(t)].
                                  Both expectation fixtures are cross-checked by
                                  direct 1-D integration over p ~ Beta(a, b).
  sbg_derl_check.json             sBG DERL candidate formulas vs. the published
                                  Fader & Hardie numbers, plus the sBG survivor
                                  curve for the "regular" segment.
  bgbb_check.json                 BG/BB (Fader, Hardie & Shang 2010): P(alive)
                                  under both conventions, E[X(n)] and the
                                  conditional expectation, with the MLE refit on
                                  the published donation data.

Numbers are written as JSON floats via repr(float(value)), i.e. the shortest
decimal string (at most 17 significant digits) that round-trips to the exact
IEEE double nearest the 40-digit value.

Requirements: Python 3 and mpmath (no scipy / numpy).
Run from the repository root:

    python3 scripts/generate-reference-values.py
"""

import itertools
import json
import math
import os
import sys

from mpmath import mp, mpf

mp.dps = 40

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "CustomerValueTests", "Fixtures")

WARNINGS = []


def warn(msg):
    WARNINGS.append(msg)
    print("WARNING: " + msg)


def num(v):
    """mpf -> Python float (json.dumps writes floats with repr)."""
    f = float(v)
    if not math.isfinite(f):
        raise ValueError("non-finite value %r" % (v,))
    return f


def rel(a, b):
    """Relative difference, safe when both are zero."""
    a, b = mpf(a), mpf(b)
    scale = max(abs(a), abs(b))
    return mpf(0) if scale == 0 else abs(a - b) / scale


def write_json(name, payload):
    """Lists of flat cases are written one case per line; everything else indented."""
    path = os.path.join(FIXTURES, name)
    if isinstance(payload, list):
        text = "[\n" + ",\n".join("  " + json.dumps(c) for c in payload) + "\n]\n"
    else:
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    n = len(payload) if isinstance(payload, list) else 1
    print("wrote %s (%d %s)" % (os.path.relpath(path, ROOT), n, "cases" if isinstance(payload, list) else "object"))


# ---------------------------------------------------------------------------
# 1. Pareto/NBD
# ---------------------------------------------------------------------------
#
#   L = Γ(r+x) α^r β^s / Γ(r) · [ A + s·I ]
#   A = (α+T)^-(r+x) (β+T)^-s
#   I = ∫_{tx}^{T} (α+u)^-(r+x) (β+u)^-(s+1) du
#   P(alive) = A / (A + s·I)


def pnbd_breakpoints(r, alpha, s, beta, x, tx, T):
    """Split points for mp.quad: geometric from tx, starting at a fraction of the
    width of the peak of the integrand at u = tx (width ~ (α+tx)/(r+x))."""
    width = min((alpha + tx) / (r + x + 1), (beta + tx) / (s + 2))
    span = T - tx
    pts = [tx]
    h = width * mpf("1e-3")
    while h < span:
        pts.append(tx + h)
        h *= 10
    pts.append(T)
    return pts


def pnbd_integrals(r, alpha, s, beta, x, tx, T):
    """I and the four partial derivatives of (s·I) by mp.quad, plus the worst
    relative error estimate returned by quad."""
    if tx == T:
        return mpf(0), [mpf(0)] * 4, mpf(0)
    pts = pnbd_breakpoints(r, alpha, s, beta, x, tx, T)
    f = lambda u: (alpha + u) ** (-(r + x)) * (beta + u) ** (-(s + 1))
    integrands = [
        f,
        lambda u: -mp.log(alpha + u) * f(u),                # ∂/∂r
        lambda u: -(r + x) / (alpha + u) * f(u),           # ∂/∂α
        lambda u: -mp.log(beta + u) * f(u),                # ∂/∂s of the integrand
        lambda u: -(s + 1) / (beta + u) * f(u),            # ∂/∂β
    ]
    # The integrand is positive and decreasing in u, so f(tx) is its maximum.
    # mp.quad's convergence test is absolute, so integrate f/f(tx) to make it
    # effectively relative (the integrand can be ~1e-1000).
    scale = f(tx)
    vals, worst = [], mpf(0)
    for g in integrands:
        v, err = mp.quad(lambda u: g(u) / scale, pts, error=True, maxdegree=10)
        v, err = v * scale, err * scale
        vals.append(v)
        if v != 0:
            worst = max(worst, abs(err / v))
    I, dIr, dIa, dIs, dIb = vals
    d_sI = [s * dIr, s * dIa, I + s * dIs, s * dIb]
    return I, d_sI, worst


def pnbd_integral_closed(r, alpha, s, beta, x, tx, T):
    """s·I in closed form (note 009 / lifetimes ParetoNBDFitter), evaluated with
    40 extra digits to absorb the cancellation between the two 2F1 terms."""
    with mp.extradps(40):
        m = r + s + x
        if alpha >= beta:
            F = lambda v: mp.hyp2f1(m, s + 1, m + 1, (alpha - beta) / v) / v ** m
            return s / m * (F(alpha + tx) - F(alpha + T))
        F = lambda v: mp.hyp2f1(m, r + x, m + 1, (beta - alpha) / v) / v ** m
        return s / m * (F(beta + tx) - F(beta + T))


def pnbd_loglik_closed(r, alpha, s, beta, x, tx, T):
    with mp.extradps(40):
        A = (alpha + T) ** (-(r + x)) * (beta + T) ** (-s)
        B = A + pnbd_integral_closed(r, alpha, s, beta, x, tx, T)
        return (mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha)
                + s * mp.log(beta) + mp.log(B))


PNBD_WORST = {}


def pareto_case(r, alpha, s, beta, x, tx, T):
    """Returns the fixture dict, or None when mpmath can't give a confident value."""
    r, alpha, s, beta, x, tx, T = (mpf(v) for v in (r, alpha, s, beta, x, tx, T))
    tag = "pnbd(r=%s a=%s s=%s b=%s x=%s tx=%s T=%s)" % tuple(
        mp.nstr(v, 6) for v in (r, alpha, s, beta, x, tx, T))

    A = (alpha + T) ** (-(r + x)) * (beta + T) ** (-s)
    I, d_sI, qerr = pnbd_integrals(r, alpha, s, beta, x, tx, T)
    B = A + s * I
    logL = (mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(alpha)
            + s * mp.log(beta) + mp.log(B))
    p_alive = A / B

    # Analytic gradient (differentiation under the integral sign).
    dA = [-mp.log(alpha + T) * A, -(r + x) / (alpha + T) * A,
          -mp.log(beta + T) * A, -s / (beta + T) * A]
    dB = [dA[i] + d_sI[i] for i in range(4)]
    grad = [
        mp.digamma(r + x) - mp.digamma(r) + mp.log(alpha) + dB[0] / B,
        r / alpha + dB[1] / B,
        mp.log(beta) + dB[2] / B,
        s / beta + dB[3] / B,
    ]

    # Cross-check 1: quadrature vs. hypergeometric closed form.
    sI_closed = pnbd_integral_closed(r, alpha, s, beta, x, tx, T)
    d_bracket = rel(B, A + sI_closed)
    d_integral = rel(s * I, sI_closed) if tx < T else mpf(0)
    # Cross-check 2: analytic gradient vs. mp.diff of the closed-form log L.
    args = [r, alpha, s, beta]

    def ll_of(i):
        def f(v):
            a = list(args)
            a[i] = v
            return pnbd_loglik_closed(a[0], a[1], a[2], a[3], x, tx, T)
        return f

    grad_diff = [mp.diff(ll_of(i), args[i]) for i in range(4)]
    d_grad = max(abs(g - h) / max(abs(g), 1) for g, h in zip(grad, grad_diff))
    d_ll = abs(logL - pnbd_loglik_closed(r, alpha, s, beta, x, tx, T)) / max(abs(logL), 1)

    if qerr > mpf("1e-28") or d_bracket > mpf("1e-25") or d_integral > mpf("1e-20") \
            or d_ll > mpf("1e-25") or d_grad > mpf("1e-20"):
        warn("%s not confident (quad err %s, bracket %s, integral %s, logL %s, grad %s) -> skipped"
             % (tag, mp.nstr(qerr, 3), mp.nstr(d_bracket, 3), mp.nstr(d_integral, 3),
                mp.nstr(d_ll, 3), mp.nstr(d_grad, 3)))
        return None

    for key, v in (("quad", qerr), ("bracket", d_bracket), ("integral", d_integral),
                   ("logL", d_ll), ("gradient", d_grad)):
        PNBD_WORST[key] = max(PNBD_WORST.get(key, mpf(0)), v)
    return {
        "r": num(r), "alpha": num(alpha), "s": num(s), "beta": num(beta),
        "x": num(x), "tx": num(tx), "T": num(T),
        "logLikelihood": num(logL),
        "gradient": [num(g) for g in grad],
        "pAlive": num(p_alive),
    }


def pareto_cases():
    """Parameter grid. Inputs are given as decimal strings so that the
    40-digit computation uses exactly the decimal value the test will parse."""
    # Every case goes through pareto_case(), which drops (with a WARNING) any case
    # where quadrature and closed form disagree beyond 1e-25 or quad's own error
    # estimate exceeds 1e-28. With the rescaled integrand none is currently dropped.
    cases = []
    pub = ("0.55", "10.58", "0.61", "11.67")
    swp = ("0.55", "11.67", "0.61", "10.58")
    # Published values (Fader & Hardie note 009 / lifetimes test-suite).
    published = [
        (pub, (1, "1.5", 12), mpf("-4.00694866")),
        (swp, (1, "1.5", 12), mpf("-4.03618538")),
        (swp, (4, "5.3", 10), mpf("-10.72932589")),
        (swp, (2, 6, 8), mpf("-6.66878882")),
    ]
    for params, data, ll in published:
        cases.append((params + data, ll))

    # CDNOW MLE.
    cdnow = ("0.55315", "10.57633", "0.60625", "11.67150")
    for T in ("27", "38.86"):
        Tm = mpf(T)
        cases.append((cdnow + (0, 0, T), None))
        cases.append((cdnow + (1, T, T), None))
        for x in (1, 2, 5, 20, 50):
            for frac in ("0.2", "0.95"):
                tx = mp.nstr(Tm * mpf(frac), 6)
                cases.append((cdnow + (x, tx, T), None))

    # Extreme scales: one of α, β tiny; grid over T with rotating (x, tx).
    smalls = ("1e-6", "1e-3", "0.01", "0.1")
    Ts = (10, 40, 500, 5000)
    histories = [(0, "0"), (1, "0.5"), (10, "1"), (200, "0.5"), (200, "1"), (1, "1"), (10, "0.5")]
    k = 0
    for which in ("alpha", "beta"):
        for small in smalls:
            for T in Ts:
                for _ in range(2):
                    x, frac = histories[k % len(histories)]
                    k += 1
                    tx = str(int(mpf(frac) * T)) if x > 0 else "0"
                    if which == "alpha":
                        p = ("0.55", small, "0.61", "2.5")
                    else:
                        p = ("0.55", "2.5", "0.61", small)
                    cases.append((p + (x, tx, T), None))
    # Both tiny.
    cases.append((("0.55", "1e-6", "0.61", "1e-3") + (0, 0, 40), None))
    cases.append((("0.55", "1e-3", "0.61", "1e-6") + (10, 20, 40), None))

    # Very large α / β.
    for big in ("1e4", "1e6"):
        cases.append((("0.55", big, "0.61", "11.67") + (2, 20, 40), None))
        cases.append((("0.55", "10.58", "0.61", big) + (2, 20, 40), None))
        cases.append((("0.55", big, "0.61", big) + (5, 30, 40), None))
        cases.append((("5", big, "0.5", "0.01") + (0, 0, 500), None))
        cases.append((("0.5", "0.01", "5", big) + (10, 400, 500), None))

    # r, s over four decades.
    rs_values = ("0.01", "0.5", "5", "50")
    hist = [(0, 0, 12), (1, 3, 12), (4, 10, 12), (15, "11.5", 12)]
    for i, (r, s) in enumerate(itertools.product(rs_values, rs_values)):
        x, tx, T = hist[i % len(hist)]
        a, b = ("3", "7") if i % 2 == 0 else ("7", "3")
        cases.append(((r, a, s, b, x, tx, T), None))

    # Parameter set from a lifetimes bug report (very small β, huge x near T).
    bug = ("10.465", "0.00798565181", "3.0516", "2.820")
    for data in ((400, 5, 6), (500, 1, 37), (500, 4, 37)):
        cases.append((bug + data, None))
    return cases


def build_pareto():
    out = []
    for params, published in pareto_cases():
        case = pareto_case(*params)
        if case is None:
            continue
        if published is not None:
            diff = abs(mpf(case["logLikelihood"]) - published)
            status = "OK" if diff < mpf("5e-9") else "MISMATCH"
            print("  Pareto/NBD published LL %s: computed %.10f (%s)"
                  % (mp.nstr(published, 10), case["logLikelihood"], status))
            if status != "OK":
                warn("Pareto/NBD published log-likelihood not reproduced")
        out.append(case)
    print("  Pareto/NBD worst relative discrepancies over kept cases: "
          + ", ".join("%s %s" % (k, mp.nstr(v, 3)) for k, v in PNBD_WORST.items()))
    return out


# ---------------------------------------------------------------------------
# 2./3. BG/NBD and MBG/NBD expectations
# ---------------------------------------------------------------------------

def bgnbd_uncond(r, alpha, a, b, t):
    return (a + b - 1) / (a - 1) * (
        1 - (alpha / (alpha + t)) ** r * mp.hyp2f1(r, b, a + b - 1, t / (alpha + t)))


def bgnbd_cond(r, alpha, a, b, x, tx, T, t):
    num_ = (a + b + x - 1) / (a - 1) * (
        1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
        * mp.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t)))
    den = 1 + (a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x) if x > 0 else 0)
    return num_ / den


def mbgnbd_uncond(r, alpha, a, b, t):
    return b / (a - 1) * (
        1 - (alpha / (alpha + t)) ** r * mp.hyp2f1(r, b + 1, a + b, t / (alpha + t)))


def mbgnbd_cond(r, alpha, a, b, x, tx, T, t):
    num_ = (a + b + x) / (a - 1) * (
        1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
        * mp.hyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + T + t)))
    den = 1 + a / (b + x) * ((alpha + T) / (alpha + tx)) ** (r + x)
    return num_ / den


def one_minus_ratio_pow(base, extra, k):
    """1 - (base/(base+extra))^k without cancellation for small extra."""
    return -mp.expm1(-k * mp.log1p(extra / base))


def beta_expect(g, a, b, peak=None):
    """E[g(p)] for p ~ Beta(a, b) by quadrature. Split geometrically towards both
    endpoints; the integrand is rescaled by its largest sampled value because
    mp.quad's convergence test is absolute."""
    h = lambda p: g(p) * p ** (a - 1) * (1 - p) ** (b - 1)
    pts = sorted(set([mpf(0), mpf(1)] + [mpf(10) ** -k for k in range(1, 6)]
                     + [1 - mpf(10) ** -k for k in range(1, 6)]))
    scale = max(abs(h(p)) for p in pts[1:-1])
    return mp.quad(lambda p: h(p) / scale, pts, maxdegree=10) * scale / mp.beta(a, b)


# E[X(t) | λ, p] for a customer alive at the start of the window is
# (1/p)(1 - e^{-λ p t}); integrating λ ~ Gamma(r, α) gives (1/p)(1 - (α/(α+pt))^r).
# MBG/NBD additionally allows death at time 0, giving ((1-p)/p)(...) for a new customer.

def bgnbd_uncond_direct(r, alpha, a, b, t):
    return beta_expect(lambda p: one_minus_ratio_pow(alpha, p * t, r) / p, a, b)


def mbgnbd_uncond_direct(r, alpha, a, b, t):
    return beta_expect(lambda p: (1 - p) / p * one_minus_ratio_pow(alpha, p * t, r), a, b)


def cond_direct(r, alpha, a, b, x, tx, T, t, model):
    """Posterior expectation with the λ-integral done analytically:
    numerator  ∫ Beta(p) L_alive(p) (1/p) [(α+T)^-(r+x) - (α+T+pt)^-(r+x)] dp
    denominator ∫ Beta(p) [L_alive(p) (α+T)^-(r+x) + L_dead(p) (α+tx)^-(r+x)] dp"""
    k = r + x
    if model == "bgnbd":
        alive = lambda p: (1 - p) ** x
        dead = (lambda p: p * (1 - p) ** (x - 1)) if x > 0 else (lambda p: 0)
    else:  # mbgnbd
        alive = lambda p: (1 - p) ** (x + 1)
        dead = lambda p: p * (1 - p) ** x
    # Both sides multiplied by (α+T)^(r+x).
    n_ = beta_expect(lambda p: alive(p) / p * one_minus_ratio_pow(alpha + T, p * t, k), a, b)
    d_ = beta_expect(lambda p: alive(p) + dead(p) * ((alpha + T) / (alpha + tx)) ** k, a, b)
    return n_ / d_


def expectation_cases(param_sets, histories):
    for params in param_sets:
        for h in histories:
            yield tuple(mpf(v) for v in params), tuple(mpf(v) for v in h)


def build_expectations(model, param_sets, histories):
    uncond = bgnbd_uncond if model == "bgnbd" else mbgnbd_uncond
    cond = bgnbd_cond if model == "bgnbd" else mbgnbd_cond
    uncond_direct = bgnbd_uncond_direct if model == "bgnbd" else mbgnbd_uncond_direct
    out, worst_u, worst_c = [], mpf(0), mpf(0)
    for (r, alpha, a, b), (x, tx, T, t) in expectation_cases(param_sets, histories):
        u = uncond(r, alpha, a, b, t)
        c = cond(r, alpha, a, b, x, tx, T, t)
        du = rel(u, uncond_direct(r, alpha, a, b, t))
        dc = rel(c, cond_direct(r, alpha, a, b, x, tx, T, t, model))
        worst_u, worst_c = max(worst_u, du), max(worst_c, dc)
        if du > mpf("1e-25") or dc > mpf("1e-25"):
            warn("%s closed form vs integral disagree (uncond %s, cond %s) at r=%s a=%s b=%s x=%s tx=%s T=%s t=%s"
                 % (model, mp.nstr(du, 3), mp.nstr(dc, 3), r, a, b, x, tx, T, t))
        z = t / (alpha + T + t)
        out.append({
            "r": num(r), "alpha": num(alpha), "a": num(a), "b": num(b),
            "x": num(x), "tx": num(tx), "T": num(T), "t": num(t),
            "conditionalExpectation": num(c),
            "unconditionalExpectation": num(u),
        })
        if z > mpf("0.98"):
            print("  %s z=t/(α+T+t)=%s  cond=%s  uncond=%s" % (model, mp.nstr(z, 6), mp.nstr(c, 12), mp.nstr(u, 12)))
    print("  %s: closed form vs direct Beta-integration, max rel. diff: unconditional %s, conditional %s"
          % (model, mp.nstr(worst_u, 3), mp.nstr(worst_c, 3)))
    return out, worst_u, worst_c


CDNOW_BGNBD = ("0.243", "4.414", "0.793", "2.426")
CDNOW_HIST = [(0, 0, "38.86", 39), (2, "30.43", "38.86", 39), (7, "35.14", "38.86", 39),
              (1, "2.5", "38.86", 52), (20, "38", "38.86", 10), (0, 0, "27", "0.5")]
# (x, tx, T, t) with small α+T so that z = t/(α+T+t) = 0.9, 0.99, 0.999 (α = 0.5, T = 1).
NEAR_ONE_HIST = [(0, 0, 1, "13.5"), (3, "0.8", 1, "148.5"), (1, "0.2", 1, "1498.5")]
EXPECTATION_PARAMS_NEAR_ONE = [("0.243", "0.5", "0.793", "2.426"),    # a < 1
                               ("1.2", "0.5", "2.5", "3.0"),           # a > 1
                               ("0.5", "0.5", "1.5", "0.8")]           # a > 1, b < 1
A_GT_1 = [("0.8", "6.0", "3.2", "5.5"), ("2.0", "1.5", "1.1", "0.6")]
A_GT_1_HIST = [(0, 0, 20, 20), (5, 12, 20, 40), (30, "19.9", 20, 5)]


def expectation_inputs():
    return ([CDNOW_BGNBD], CDNOW_HIST), (EXPECTATION_PARAMS_NEAR_ONE, NEAR_ONE_HIST), (A_GT_1, A_GT_1_HIST)


def build_expectation_fixture(model):
    out, wu, wc = [], mpf(0), mpf(0)
    for params, hist in expectation_inputs():
        o, u, c = build_expectations(model, params, hist)
        out += o
        wu, wc = max(wu, u), max(wc, c)
    return out, wu, wc


# ---------------------------------------------------------------------------
# 4. sBG DERL and survivor curve
# ---------------------------------------------------------------------------

def sbg_loglik(alpha, beta, survivors):
    """sBG log-likelihood for a cohort with survivor proportions S(1..k) (S(0)=1)."""
    S = [mpf(1)] + [mpf(v) for v in survivors]
    ll = mpf(0)
    for t in range(1, len(S)):
        churn_t = mp.beta(alpha + 1, beta + t - 1) / mp.beta(alpha, beta)
        ll += (S[t - 1] - S[t]) * mp.log(churn_t)
    ll += S[-1] * mp.log(mp.beta(alpha, beta + len(S) - 1) / mp.beta(alpha, beta))
    return ll


def newton_mle(f, x0, iters=60):
    """Newton's method on ∇f = 0 with mp.diff gradient/Hessian (small dims only)."""
    x = [mpf(v) for v in x0]
    n = len(x)
    for _ in range(iters):
        def d(order):
            return mp.diff(lambda *v: f(*v), x, order)
        g = mp.matrix([d(tuple(1 if j == i else 0 for j in range(n))) for i in range(n)])
        H = mp.matrix(n, n)
        for i in range(n):
            for j in range(i, n):
                o = [0] * n
                o[i] += 1
                o[j] += 1
                H[i, j] = H[j, i] = d(tuple(o))
        step = mp.lu_solve(H, g)
        x = [x[i] - step[i] for i in range(n)]
        if max(abs(step[i]) / abs(x[i]) for i in range(n)) < mpf("1e-30"):
            break
    return x


def build_sbg():
    alpha, beta, d = mpf("3.80"), mpf("15.20"), mpf("0.1")
    published = [mpf(v) for v in ("3.31", "3.45", "3.59", "3.72", "3.84")]
    z = 1 / (1 + d)
    cands = {
        "a": lambda n: (beta + n - 1) / (alpha + beta + n - 1) * mp.hyp2f1(1, beta + n, alpha + beta + n, z),
        "b": lambda n: (beta + n) / (alpha + beta + n) * mp.hyp2f1(1, beta + n + 1, alpha + beta + n + 1, z),
    }
    cands["a_plus_1"] = lambda n: 1 + cands["a"](n)
    cands["b_plus_1"] = lambda n: 1 + cands["b"](n)
    descriptions = {
        "a": "(β+n−1)/(α+β+n−1) · 2F1(1, β+n; α+β+n; 1/(1+d))",
        "b": "(β+n)/(α+β+n) · 2F1(1, β+n+1; α+β+n+1; 1/(1+d))",
        "a_plus_1": "1 + (a)",
        "b_plus_1": "1 + (b)",
    }
    results, matching = {}, []
    for key, fn in cands.items():
        vals = [fn(n) for n in range(1, 6)]
        ok = all(abs(v - p) < mpf("0.005") for v, p in zip(vals, published))
        results[key] = {"formula": descriptions[key], "values": [num(v) for v in vals],
                        "matchesPublishedTo2dp": ok}
        if ok:
            matching.append(key)
        print("  sBG DERL (%s): %s %s" % (key, [mp.nstr(v, 6) for v in vals], "MATCH" if ok else ""))

    # Survivor curve, "regular" segment of Fader & Hardie (2007).
    ra, rb = mpf("0.704"), mpf("1.182")
    calib = ["0.631", "0.468", "0.382", "0.326", "0.289", "0.262", "0.241"]   # observed years 1-7
    quoted = [mpf(v) for v in ("0.223", "0.207", "0.194", "0.183", "0.173")]  # quoted for years 8-12
    S = lambda t, a_, b_: mp.beta(a_, b_ + t) / mp.beta(a_, b_)
    surv = [S(t, ra, rb) for t in range(8, 13)]
    fa, fb = newton_mle(lambda a_, b_: sbg_loglik(a_, b_, calib), (ra, rb))
    surv_fit = [S(t, fa, fb) for t in range(8, 13)]
    print("  sBG regular S(8..12) at (0.704, 1.182): %s" % [mp.nstr(100 * v, 4) for v in surv])
    print("  sBG regular MLE refit on years 1-7: α=%s β=%s, S(8..12)=%s"
          % (mp.nstr(fa, 8), mp.nstr(fb, 8), [mp.nstr(100 * v, 4) for v in surv_fit]))
    survivor_match = all(abs(v - q) < mpf("0.0005") for v, q in zip(surv, quoted))

    return {
        "derl": {
            "alpha": 3.8, "beta": 15.2, "discountRate": 0.1,
            "renewals": [1, 2, 3, 4, 5],
            "published": [num(v) for v in published],
            "candidates": results,
            "matchingCandidates": matching,
        },
        "survivor": {
            "alpha": 0.704, "beta": 1.182,
            "t": [8, 9, 10, 11, 12],
            "survivor": [num(v) for v in surv],
            "quoted": [num(v) for v in quoted],
            "matchesQuotedTo3dp": survivor_match,
            "calibrationSurvivorYears1to7": [num(mpf(v)) for v in calib],
            "mleFromYears1to7": {"alpha": num(fa), "beta": num(fb),
                                 "survivor": [num(v) for v in surv_fit]},
            "note": ("S(t)=B(α,β+t)/B(α,β). The quoted 22.3..17.3% are the observed "
                     "holdout survival of the 'regular' cohort (model fit on years 1-7 only); "
                     "the sBG projection is expected to be close, not identical."),
        },
    }


# ---------------------------------------------------------------------------
# 5. BG/BB (Fader, Hardie & Shang 2010)
# ---------------------------------------------------------------------------

# Donation data (1995 cohort, 11,104 donors, n = 6 opportunities), FHS (2010);
# rows (x, tx, n, count).
DONATIONS = [
    (0, 0, 6, 3464), (1, 1, 6, 1091), (1, 2, 6, 277), (1, 3, 6, 129), (1, 4, 6, 78),
    (1, 5, 6, 119), (1, 6, 6, 129), (2, 2, 6, 613), (2, 3, 6, 255), (2, 4, 6, 155),
    (2, 5, 6, 173), (2, 6, 6, 234), (3, 3, 6, 322), (3, 4, 6, 181), (3, 5, 6, 225),
    (3, 6, 6, 357), (4, 4, 6, 240), (4, 5, 6, 284), (4, 6, 6, 512), (5, 5, 6, 335),
    (5, 6, 6, 728), (6, 6, 6, 1203),
]


def bgbb_lik(al, be, ga, de, x, tx, n):
    B = mp.beta
    L = B(al + x, be + n - x) / B(al, be) * B(ga, de + n) / B(ga, de)
    for i in range(0, n - tx):
        L += B(al + x, be + tx - x + i) / B(al, be) * B(ga + 1, de + tx + i) / B(ga, de)
    return L


def bgbb_total_ll(al, be, ga, de):
    return sum(c * mp.log(bgbb_lik(al, be, ga, de, x, tx, n)) for x, tx, n, c in DONATIONS)


def bgbb_p_alive(al, be, ga, de, x, tx, n, shift):
    """shift = 0: alive at period n; shift = 1: alive at period n+1 (FHS eq.)."""
    B = mp.beta
    return (B(al + x, be + n - x) / B(al, be) * B(ga, de + n + shift) / B(ga, de)
            / bgbb_lik(al, be, ga, de, x, tx, n))


def bgbb_expected(al, be, ga, de, n):
    closed = al / (al + be) * de / (ga - 1) * (
        1 - mp.gamma(ga + de) / mp.gamma(ga + de + n) * mp.gamma(1 + de + n) / mp.gamma(1 + de))
    direct = al / (al + be) * sum(mp.beta(ga, de + t) / mp.beta(ga, de) for t in range(1, n + 1))
    return closed, direct


def bgbb_cond_expected(al, be, ga, de, x, tx, n, nstar):
    B = mp.beta
    L = bgbb_lik(al, be, ga, de, x, tx, n)
    closed = (B(al + x + 1, be + n - x) / B(al, be) * de / (ga - 1)
              * mp.gamma(ga + de) / mp.gamma(1 + de)
              * (mp.gamma(1 + de + n) / mp.gamma(ga + de + n)
                 - mp.gamma(1 + de + n + nstar) / mp.gamma(ga + de + n + nstar))) / L
    direct = sum(B(al + x + 1, be + n - x) / B(al, be) * B(ga, de + t) / B(ga, de)
                 for t in range(n + 1, n + nstar + 1)) / L
    return closed, direct


def build_bgbb():
    rounded = [mpf(v) for v in ("1.204", "0.750", "0.657", "2.783")]
    mle = newton_mle(lambda a, b, g, d: bgbb_total_ll(a, b, g, d), rounded)
    print("  BG/BB MLE on donation data: α=%s β=%s γ=%s δ=%s  LL=%s"
          % tuple([mp.nstr(v, 10) for v in mle] + [mp.nstr(bgbb_total_ll(*mle), 12)]))

    published_alive = [mpf("0.11"), mpf("0.59"), mpf("0.93")]
    histories = [(0, 0, 6), (2, 4, 6), (6, 6, 6)]
    sections = {}
    for label, params in (("rounded", rounded), ("mle", mle)):
        alive = {}
        for shift, key in ((0, "aliveAtPeriodN"), (1, "aliveAtPeriodNPlus1")):
            vals = [bgbb_p_alive(*params, x, tx, n, shift) for x, tx, n in histories]
            alive[key] = {
                "values": [num(v) for v in vals],
                "matchesPublishedTo2dp": all(abs(v - p) < mpf("0.005") for v, p in zip(vals, published_alive)),
            }
            print("  BG/BB P(alive) %-7s %-20s %s" % (label, key, [mp.nstr(v, 6) for v in vals]))
        e_closed, e_direct = bgbb_expected(*params, 10)
        c_closed, c_direct = bgbb_cond_expected(*params, 4, 5, 6, 10)
        for what, u, v in (("E[X(10)]", e_closed, e_direct), ("E[X(6,16)|4,5,6]", c_closed, c_direct)):
            if rel(u, v) > mpf("1e-30"):
                warn("BG/BB %s closed form vs direct sum differ: %s vs %s" % (what, u, v))
        print("  BG/BB %-7s E[X(10)]=%s  E[X(6,16)|x=4,tx=5,n=6]=%s"
              % (label, mp.nstr(e_closed, 10), mp.nstr(c_closed, 10)))
        sections[label] = {
            "alpha": num(params[0]), "beta": num(params[1]),
            "gamma": num(params[2]), "delta": num(params[3]),
            "logLikelihood": num(bgbb_total_ll(*params)),
            "pAlive": alive,
            "expectedTransactionsNewCustomer_n10": num(e_closed),
            "conditionalExpected_x4_tx5_n6_nstar10": num(c_closed),
            "expectedMatchesPublishedTo6dp": abs(e_closed - mpf("3.179805")) < mpf("5e-7"),
            "conditionalMatchesPublishedTo6dp": abs(c_closed - mpf("3.627858")) < mpf("5e-7"),
            "expectedRelDiffFromPublished": num((e_closed - mpf("3.179805")) / mpf("3.179805")),
            "conditionalRelDiffFromPublished": num((c_closed - mpf("3.627858")) / mpf("3.627858")),
        }
    return {
        "histories": [{"x": x, "tx": tx, "n": n} for x, tx, n in histories],
        "publishedPAlive": [num(v) for v in published_alive],
        "publishedExpectedTransactionsNewCustomer_n10": 3.179805,
        "publishedConditionalExpected_x4_tx5_n6_nstar10": 3.627858,
        "likelihood": ("L = B(α+x,β+n−x)/B(α,β)·B(γ,δ+n)/B(γ,δ) + Σ_{i=0}^{n−tx−1} "
                       "B(α+x,β+tx−x+i)/B(α,β)·B(γ+1,δ+tx+i)/B(γ,δ)"),
        "pAliveConventions": {
            "aliveAtPeriodN": "B(α+x,β+n−x)/B(α,β)·B(γ,δ+n)/B(γ,δ) / L",
            "aliveAtPeriodNPlus1": "B(α+x,β+n−x)/B(α,β)·B(γ,δ+n+1)/B(γ,δ) / L",
        },
        "parameters": sections,
        "note": ("E[X(n)] and E[X(n,n+n*)] use FHS (2010) eqs. (the same expressions as BTYD's "
                 "bgbb.Expectation / bgbb.ConditionalExpectedTransactions) and are cross-checked "
                 "against the direct sums alpha/(alpha+beta)*sum_t B(gamma,delta+t)/B(gamma,delta). "
                 "3.179805 / 3.627858 are BTYD outputs at BTYD's own (L-BFGS-B) estimates, which "
                 "differ from both the rounded and the exact MLE at ~1e-4, so neither parameter set "
                 "reproduces them to 6 decimals; P(alive) matches the 'alive at n+1' convention."),
    }


# ---------------------------------------------------------------------------

def main():
    os.makedirs(FIXTURES, exist_ok=True)

    print("Pareto/NBD ...")
    write_json("pareto_nbd_reference.json", build_pareto())

    print("BG/NBD ...")
    bg, _, _ = build_expectation_fixture("bgnbd")
    write_json("bgnbd_expectation_reference.json", bg)

    print("MBG/NBD ...")
    mbg, wu, wc = build_expectation_fixture("mbgnbd")
    print("  MBG/NBD unconditional formula vs direct E_p[((1-p)/p)(1-(α/(α+pt))^r)]: %s (max rel. diff %s)"
          % ("AGREE" if wu < mpf("1e-25") else "DISAGREE", mp.nstr(wu, 3)))
    write_json("mbgnbd_expectation_reference.json", mbg)

    print("sBG ...")
    write_json("sbg_derl_check.json", build_sbg())

    print("BG/BB ...")
    write_json("bgbb_check.json", build_bgbb())

    if WARNINGS:
        print("\n%d warning(s):" % len(WARNINGS))
        for w in WARNINGS:
            print("  - " + w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
