"""The whole pipeline under load: wrk posts comments to gunicorn while real workers classify them.

After the load stops, waits until no comment is pending, then reports what was
accepted (202), what was decided, what was lost (must be 0), the time from
acceptance to decision (median, p95), and how long the queue took to drain.
Runs once with one worker and once with two, in the same command. Usage:

    .venv/bin/python -m bench.bench_pipeline [--seconds 10] [--connections 8]
"""

from __future__ import annotations

import argparse
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


def run(workers: int, seconds: int, connections: int) -> dict[str, float]:
    """Load one fresh instance with ``workers`` worker processes; return its figures."""
    with instance() as env:
        full_env = {**os.environ, **env, "MODERATO_SWEEP_AGE": "30"}
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
    args = parser.parse_args()
    load = f"wrk -t2 -c{args.connections} -d{args.seconds}s POST /api/v1/comments"
    print(f"{load}; gunicorn 2x4; SQLite synchronous=FULL")
    for workers in (1, 2):
        r = run(workers, args.seconds, args.connections)
        print(
            f"  {workers} worker(s): accepted {r['accepted']:.0f}, decided {r['decided']:.0f}, "
            f"lost {r['lost']:.0f}; intake {r['intake_rps']:.0f} req/s; decided "
            f"{r['throughput']:.0f}/s overall; accept→decision p50 {r['lag_p50_ms']:.0f} ms, "
            f"p95 {r['lag_p95_ms']:.0f} ms; queue drained {r['drain_s']:.1f} s after the load"
        )


if __name__ == "__main__":
    main()
