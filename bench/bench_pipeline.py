"""The whole pipeline under load: wrk posts comments to gunicorn while real workers classify them.

After the load stops, waits until no comment is pending, then reports what was
accepted (202), what was decided, what was lost (must be 0), the time from
acceptance to decision (median, p95), and how long the queue took to drain.
Runs an overload (wrk as fast as it can) with one worker and with two, then a
steady load (``--rate`` comments a second from one client, under what one worker
sustains) to show the accept-to-decision time when the queue is not backed up.
Usage:

    .venv/bin/python -m bench.bench_pipeline [--seconds 10] [--connections 8] [--rate 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

from sqlalchemy import create_engine, text

from bench._common import instance
from bench.bench_intake import POST_LUA, wrk
from service.embedded_redis import free_port


def steady(base: str, seconds: int, rate: float) -> float:
    """Post ``rate`` comments a second for ``seconds`` from one client; return the achieved rate."""
    interval, sent, start = 1.0 / rate, 0, time.monotonic()
    while time.monotonic() - start < seconds:
        body = json.dumps(
            {
                "thread": "steady",
                "name": "Reader",
                "email": "r@example.org",
                "text": f"Point {sent}, thanks.",
            }
        ).encode()
        req = urllib.request.Request(
            f"{base}/api/v1/comments", body, {"Content-Type": "application/json"}
        )
        urllib.request.urlopen(req, timeout=5).read()
        sent += 1
        time.sleep(max(0.0, start + sent * interval - time.monotonic()))
    return sent / (time.monotonic() - start)


def run(
    workers: int, seconds: int, connections: int, rate: float | None = None
) -> dict[str, float]:
    """Load one fresh instance with ``workers`` worker processes; return its figures."""
    with instance() as env:
        # the least age moderato accepts: it must exceed the job timeout (30 s)
        full_env = {**os.environ, **env, "MODERATO_SWEEP_AGE": "31"}
        port = free_port()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "service.cli", "web", "--port", str(port)],
                env=full_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        ]
        procs += [
            subprocess.Popen(
                [sys.executable, "-m", "worker"], env=full_env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        engine = create_engine(env["DATABASE_URL"])
        try:
            for _ in range(150):
                try:
                    urllib.request.urlopen(f"{base}/readyz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            time.sleep(3)  # let the workers load their models
            if rate:
                rps = steady(base, seconds, rate)
            else:
                rps, _ = wrk(f"{base}/api/v1/comments", seconds, connections, POST_LUA)
            load_end = time.monotonic()
            with engine.connect() as conn:
                while conn.execute(
                    text("SELECT count(*) FROM comments WHERE state = 'pending'")
                ).scalar():
                    time.sleep(0.1)
                    conn.rollback()
                drain = time.monotonic() - load_end
                accepted = conn.execute(text("SELECT count(*) FROM comments")).scalar() or 0
                decided = (
                    conn.execute(
                        text("SELECT count(*) FROM comments WHERE decided_at IS NOT NULL")
                    ).scalar()
                    or 0
                )
                rows = conn.execute(
                    text("SELECT created_at, decided_at FROM comments WHERE decided_at IS NOT NULL")
                ).all()
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
            engine.dispose()
    from datetime import datetime

    def parse(value: object) -> datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

    lags = sorted((parse(d) - parse(c)).total_seconds() * 1000 for c, d in rows)
    return {
        "intake_rps": rps,
        "accepted": float(accepted),
        "decided": float(decided),
        "lost": float(accepted - decided),
        "lag_p50_ms": statistics.median(lags),
        "lag_p95_ms": lags[int(0.95 * (len(lags) - 1))],
        "drain_s": drain,
        "throughput": decided / (seconds + drain),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    load = f"wrk -t2 -c{args.connections} -d{args.seconds}s POST /api/v1/comments"
    print(f"{load}; gunicorn 2x4; SQLite synchronous=FULL")
    runs = [(f"overload, {w} worker(s)", w, None) for w in (1, 2)]
    runs.append((f"steady {args.rate:g}/s, 1 worker", 1, args.rate))
    for label, workers, rate in runs:
        r = run(workers, args.seconds, args.connections, rate)
        print(
            f"  {label}: accepted {r['accepted']:.0f}, decided {r['decided']:.0f}, "
            f"lost {r['lost']:.0f}; intake {r['intake_rps']:.0f} req/s; decided "
            f"{r['throughput']:.0f}/s overall; accept→decision p50 {r['lag_p50_ms']:.0f} ms, "
            f"p95 {r['lag_p95_ms']:.0f} ms; queue drained {r['drain_s']:.1f} s after the load"
        )


if __name__ == "__main__":
    main()
