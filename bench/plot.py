#!/usr/bin/env python3
"""Plot `realm bench matmul --format csv` output as SVG, with no third-party
packages: throughput vs batch (one line per type, at the largest thread
count) and throughput vs threads (one line per type, at the largest batch).

usage: python3 bench/plot.py RESULTS.csv [more.csv ...] -o plot.svg
"""
import argparse
import csv
import math
import sys

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
          "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
          "#8c6d31", "#843c39"]


def load(paths):
    rows = []
    for p in paths:
        with open(p, newline="") as f:
            for r in csv.DictReader(f):
                if r.get("bench") == "matmul":
                    rows.append(r)
    return rows


def panel(x0, y0, w, h, title, xlabel, series, logx):
    """series: {name: [(x, y), ...]} -> SVG fragment of one line chart."""
    pts = [p for s in series.values() for p in s]
    if not pts:
        return ""
    xs = [math.log2(p[0]) if logx else p[0] for p in pts]
    xmin, xmax = min(xs), max(xs)
    if xmax == xmin:
        xmax = xmin + 1
    ymax = max(p[1] for p in pts) * 1.1 or 1
    def sx(v):
        v = math.log2(v) if logx else v
        return x0 + 50 + (v - xmin) / (xmax - xmin) * (w - 160)
    def sy(v):
        return y0 + h - 40 - v / ymax * (h - 70)
    out = [f'<text x="{x0 + w / 2}" y="{y0 + 18}" text-anchor="middle" font-size="14">{title}</text>',
           f'<line x1="{x0 + 50}" y1="{y0 + h - 40}" x2="{x0 + w - 110}" y2="{y0 + h - 40}" stroke="black"/>',
           f'<line x1="{x0 + 50}" y1="{y0 + 30}" x2="{x0 + 50}" y2="{y0 + h - 40}" stroke="black"/>',
           f'<text x="{x0 + (w - 60) / 2}" y="{y0 + h - 8}" text-anchor="middle" font-size="12">{xlabel}</text>',
           f'<text x="{x0 + 12}" y="{y0 + h / 2}" font-size="12" transform="rotate(-90 {x0 + 12} {y0 + h / 2})"'
           f' text-anchor="middle">GFLOP/s</text>']
    for i in range(5):
        v = ymax * i / 4
        out.append(f'<text x="{x0 + 46}" y="{sy(v) + 4}" text-anchor="end" font-size="10">{v:.0f}</text>')
        out.append(f'<line x1="{x0 + 50}" y1="{sy(v)}" x2="{x0 + w - 110}" y2="{sy(v)}" stroke="#ddd"/>')
    for v in sorted({p[0] for p in pts}):
        out.append(f'<text x="{sx(v)}" y="{y0 + h - 26}" text-anchor="middle" font-size="10">{v:g}</text>')
    for i, (name, s) in enumerate(sorted(series.items())):
        s = sorted(s)
        c = COLORS[i % len(COLORS)]
        path = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in s)
        out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{path}"/>')
        for a, b in s:
            out.append(f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="2.5" fill="{c}"/>')
        out.append(f'<text x="{x0 + w - 100}" y="{y0 + 40 + 14 * i}" font-size="11" fill="{c}">{name}</text>')
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="+")
    ap.add_argument("-o", "--output", default="plot.svg")
    a = ap.parse_args()
    rows = load(a.csv)
    if not rows:
        sys.exit("plot.py: no 'matmul' rows in the input")
    tmax = max(int(r["threads"]) for r in rows)
    bmax = max(int(r["batch"]) for r in rows)
    by_batch, by_threads = {}, {}
    for r in rows:
        name = f'{r["type"]} {r["backend"]}'
        if int(r["threads"]) == tmax:
            by_batch.setdefault(name, []).append((int(r["batch"]), float(r["gflops"])))
        if int(r["batch"]) == bmax:
            by_threads.setdefault(name, []).append((int(r["threads"]), float(r["gflops"])))
    w, h = 640, 400
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w}" height="{h}" font-family="sans-serif">',
           '<rect width="100%" height="100%" fill="white"/>',
           panel(0, 0, w, h, f"throughput vs batch ({tmax} threads)", "batch (log2)", by_batch, True),
           panel(w, 0, w, h, f"throughput vs threads (batch {bmax})", "threads", by_threads, False),
           "</svg>"]
    with open(a.output, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
