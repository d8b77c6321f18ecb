#!/usr/bin/env python3
"""Print a Markdown comparison of a Patron benchmark and a lifetimes anchor run.

Usage:
    python compare.py --patron patron.json --lifetimes lifetimes.json [--label "CDNOW"]

patron.json comes from `patron benchmark --format json`, lifetimes.json from
lifetimes_anchor.py. Either file may be missing, unreadable, or hold a failed
model ({"error": ...}); such cells print as "failed: <reason>". Standard
library only, so any python3 can run it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

MODEL_ORDER = ["bgnbd", "pnbd", "mbgnbd", "gg"]
MODEL_TITLES = {"bgnbd": "BG/NBD", "pnbd": "Pareto/NBD", "mbgnbd": "MBG/NBD", "gg": "Gamma-Gamma"}
PARAM_ORDER = {
    "bgnbd": ["r", "alpha", "a", "b"],
    "mbgnbd": ["r", "alpha", "a", "b"],
    "pnbd": ["r", "alpha", "s", "beta"],
    "gg": ["p", "q", "gamma"],
}
LL_TIE = 1e-3  # |ΔLL| below this counts as the same optimum


def load(path):
    if not path:
        return {"_error": "no file given"}
    try:
        with open(path) as fh:
            doc = json.load(fh)
        if not isinstance(doc, dict):
            return {"_error": f"{path}: not a JSON object"}
        if doc.get("error") and not doc.get("models"):
            doc["_error"] = str(doc["error"])
        return doc
    except FileNotFoundError:
        return {"_error": f"{path} not found"}
    except (OSError, ValueError) as e:
        return {"_error": f"{path}: {e}"}


def num(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)) and math.isfinite(v):
        return float(v)
    return None


def fmt_seconds(s):
    if s is None:
        return "—"
    if s >= 100:
        return f"{s:,.0f} s"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} µs"


def fmt_ratio(patron, other):
    """lifetimes / Patron, phrased from Patron's point of view."""
    if patron is None or other is None or patron <= 0 or other <= 0:
        return "—"
    r = other / patron
    if r >= 1:
        return f"×{r:,.0f} faster" if r >= 100 else f"×{r:.1f} faster"
    inv = 1 / r
    return f"×{inv:,.0f} slower" if inv >= 100 else f"×{inv:.1f} slower"


def fmt_ll(v):
    return "—" if v is None else f"{v:,.3f}"


def fmt_bytes(b):
    if b is None:
        return "—"
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b:.0f} B"


def fmt_param(v):
    if v is None:
        return "—"
    return f"{v:.6g}"


def failure(doc, entry, what):
    """Reason string if `entry` is not a usable result, else None."""
    if "_error" in doc:
        return doc["_error"]
    if entry is None:
        return f"{what} not run"
    if not isinstance(entry, dict):
        return f"malformed {what} entry"
    if entry.get("skipped"):
        return "skipped: " + str(entry.get("error") or entry.get("reason") or "")
    if entry.get("error"):
        return str(entry["error"])
    return None


def cell(reason):
    text = reason if reason.startswith("skipped") else f"failed: {reason}"
    return text.replace("|", "\\|").replace("\n", " ")


def model_entry(doc, m):
    models = doc.get("models") if isinstance(doc.get("models"), dict) else {}
    return models.get(m)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compare Patron and lifetimes benchmark JSON.")
    ap.add_argument("--patron", required=True)
    ap.add_argument("--lifetimes", required=True)
    ap.add_argument("--label", default=None)
    args = ap.parse_args(argv)

    pat = load(args.patron)
    lt = load(args.lifetimes)

    label = args.label or pat.get("dataset") or lt.get("dataset") or "dataset"
    customers = pat.get("customers", lt.get("customers"))
    out = []
    head = f"### {label}"
    bits = []
    if isinstance(customers, int):
        bits.append(f"{customers:,} customers")
    uniq = pat.get("uniqueRows", lt.get("uniqueRows"))
    if isinstance(uniq, int):
        bits.append(f"{uniq:,} unique (x, t_x, T) rows")
    if bits:
        head += f" ({', '.join(bits)})"
    out.append(head)
    out.append("")
    if "_error" in pat:
        out.append(f"- Patron results unavailable: {pat['_error']}")
    if "_error" in lt:
        out.append(f"- lifetimes results unavailable: {lt['_error']}")
    pc, lc = pat.get("customers"), lt.get("customers")
    if isinstance(pc, int) and isinstance(lc, int) and pc != lc:
        out.append(f"- **warning**: Patron read {pc:,} customers, lifetimes {lc:,}")
    if "_error" in pat or "_error" in lt or (isinstance(pc, int) and isinstance(lc, int) and pc != lc):
        out.append("")

    models = [m for m in MODEL_ORDER
              if model_entry(pat, m) is not None or model_entry(lt, m) is not None]
    extra = sorted(set((pat.get("models") or {}).keys()) | set((lt.get("models") or {}).keys()))
    models += [m for m in extra if m not in models]

    # ---- fit table -------------------------------------------------------
    out.append("| model | Patron fit | lifetimes fit | Patron vs lifetimes | LL Patron | LL lifetimes | \\|ΔLL\\| | higher LL |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    weighted_rows = []
    param_rows = []
    for m in models:
        pe, le = model_entry(pat, m), model_entry(lt, m)
        pf, lf = failure(pat, pe, "model"), failure(lt, le, "model")
        p_t = None if pf else num(pe.get("fitSeconds"))
        l_t = None if lf else num(le.get("fitSeconds"))
        p_ll = None if pf else num(pe.get("logLikelihood"))
        l_ll = None if lf else num(le.get("logLikelihood"))

        p_cell = cell(pf) if pf else fmt_seconds(p_t)
        if not pf:
            n_rep = len(pe.get("fitSecondsAll") or [])
            notes = []
            if pe.get("converged") is False:
                notes.append("not converged")
            if isinstance(pe.get("iterations"), int):
                notes.append(f"{pe['iterations']} it")
            if notes:
                p_cell += f" ({', '.join(notes)})"
        l_cell = cell(lf) if lf else fmt_seconds(l_t)
        if not lf:
            notes = []
            if le.get("converged") is False:
                notes.append("not converged")
            if isinstance(le.get("iterations"), int) and le["iterations"] >= 0:
                notes.append(f"{le['iterations']} it")
            if notes:
                l_cell += f" ({', '.join(notes)})"

        if p_ll is not None and l_ll is not None:
            d = abs(p_ll - l_ll)
            d_cell = f"{d:.2e}"
            if d < LL_TIE:
                better = "same"
            else:
                better = "Patron" if p_ll > l_ll else "lifetimes"
        else:
            d_cell, better = "—", "—"
        out.append(f"| {MODEL_TITLES.get(m, m)} | {p_cell} | {l_cell} | {fmt_ratio(p_t, l_t)} | "
                   f"{fmt_ll(p_ll)} | {fmt_ll(l_ll)} | {d_cell} | {better} |")

        if not lf and num(le.get("fitSecondsWeighted")) is not None:
            weighted_rows.append((m, num(le.get("fitSecondsWeighted")), l_t, p_t))
        elif not lf and isinstance(le.get("weighted"), dict) and le["weighted"].get("error"):
            weighted_rows.append((m, cell(le["weighted"]["error"]), l_t, p_t))

        pp = {} if pf else (pe.get("parameters") or {})
        lp = {} if lf else (le.get("parameters") or {})
        names = PARAM_ORDER.get(m, []) + sorted(k for k in set(pp) | set(lp) if k not in PARAM_ORDER.get(m, []))
        for k in names:
            if k not in pp and k not in lp:
                continue
            a, b = num(pp.get(k)), num(lp.get(k))
            rel = f"{abs(a - b) / max(abs(b), 1e-300):.1e}" if a is not None and b is not None else "—"
            param_rows.append((MODEL_TITLES.get(m, m), k, fmt_param(a), fmt_param(b), rel))

    # ---- prediction + memory ---------------------------------------------
    out.append("")
    pp_ = pat.get("predict")
    lp_ = lt.get("predict")
    p_pf = failure(pat, pp_, "predict")
    l_pf = failure(lt, lp_, "predict")
    p_total = None if p_pf else num(pp_.get("totalSeconds"))
    l_total = None if l_pf else num(lp_.get("totalSeconds"))
    out.append("| | Patron | lifetimes | Patron vs lifetimes |")
    out.append("|---|---:|---:|---:|")
    pred_customers = None
    for src in (pp_, lp_):
        if isinstance(src, dict) and isinstance(src.get("customers"), int):
            pred_customers = src["customers"]
            break
    what = "predict: P(alive) + E[purchases] + CLV"
    if pred_customers is not None:
        what += f", {pred_customers:,} customers"
    out.append(f"| {what} | {cell(p_pf) if p_pf else fmt_seconds(p_total)} | "
               f"{cell(l_pf) if l_pf else fmt_seconds(l_total)} | {fmt_ratio(p_total, l_total)} |")
    if not l_pf:
        parts = []
        for key, name in (("pAliveSeconds", "P(alive)"), ("expectedPurchasesSeconds", "E[purchases]"),
                          ("clvSeconds", "CLV")):
            v = num(lp_.get(key))
            if v is not None:
                parts.append(f"{name} {fmt_seconds(v)}")
        if parts:
            out.append(f"| ↳ lifetimes breakdown | | {'; '.join(parts)} | |")
    p_rss = num(pat.get("peakRSSBytes"))
    l_rss = num(lt.get("peakRSSBytes"))
    rss_ratio = f"×{l_rss / p_rss:.1f} less" if p_rss and l_rss and l_rss >= p_rss else (
        f"×{p_rss / l_rss:.1f} more" if p_rss and l_rss else "—")
    out.append(f"| peak RSS (whole process) | {fmt_bytes(p_rss)} | {fmt_bytes(l_rss)} | {rss_ratio} |")

    if weighted_rows:
        out.append("")
        out.append("lifetimes fitted on the compressed data (`weights=` = count of each unique (x, t_x, T) row):")
        out.append("")
        out.append("| model | lifetimes weighted fit | lifetimes unweighted fit | Patron fit | Patron vs lifetimes weighted |")
        out.append("|---|---:|---:|---:|---:|")
        for m, w, l_t, p_t in weighted_rows:
            w_cell = w if isinstance(w, str) else fmt_seconds(w)
            ratio = fmt_ratio(p_t, w) if not isinstance(w, str) else "—"
            out.append(f"| {MODEL_TITLES.get(m, m)} | {w_cell} | {fmt_seconds(l_t)} | {fmt_seconds(p_t)} | {ratio} |")

    if param_rows:
        out.append("")
        out.append("<details><summary>Fitted parameters</summary>")
        out.append("")
        out.append("| model | parameter | Patron | lifetimes | rel. diff |")
        out.append("|---|---|---:|---:|---:|")
        for row in param_rows:
            out.append("| " + " | ".join(row) + " |")
        out.append("")
        out.append("</details>")

    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
