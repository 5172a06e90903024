"""HTTP intake under load: wrk against gunicorn, POST /api/v1/comments vs GET /healthz (baseline).

Starts `moderato web` (gunicorn, 2 workers x 4 threads) on a fresh instance
with a real Valkey, then drives it with wrk from a second process. Each
scenario runs ``--rounds`` times; medians are reported, with the ratio to the
/healthz baseline measured in the same command. Usage:

    .venv/bin/python -m bench.bench_intake [--seconds 5] [--rounds 3] [--connections 16]
        [--synchronous FULL|NORMAL]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench._common import instance, median
from service.embedded_redis import free_port

POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = '{"thread": "bench-' .. (n % 50) .. '", "name": "Reader ' .. n ..
    '", "email": "reader' .. n .. '@example.org", "text": "A fair point. Comment ' .. n .. '."}'
  return wrk.format(nil, "/api/v1/comments", nil, body)
end
"""

SCENARIOS = {
    "GET /healthz (baseline)": ("/healthz", None),
    "GET /api/v1/comments (thread)": ("/api/v1/comments?thread=bench-1", None),
    "POST /api/v1/comments (intake)": ("/api/v1/comments", POST_LUA),
}


def wrk(url: str, seconds: int, connections: int, script: str | None) -> tuple[float, float]:
    """Run wrk; return (requests/s, median latency ms)."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            args += ["-s", lua.name]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    assert p50 and "Non-2xx" not in out, out
    value, unit = float(p50.group(1)), p50.group(2)
    return rps, value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--synchronous",
        choices=["FULL", "NORMAL"],
        default="FULL",
        help="SQLite synchronous setting (FULL: fsync every commit)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    with instance(args.synchronous) as env:
        port = free_port()
        web = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "web", "--port", str(port)],
            env={**__import__("os").environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/readyz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            body = json.dumps(
                {"thread": "bench-1", "name": "A", "email": "a@example.org", "text": "x"}
            )
            req = urllib.request.Request(
                f"{base}/api/v1/comments", body.encode(), {"Content-Type": "application/json"}
            )
            urllib.request.urlopen(req, timeout=5)
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in SCENARIOS}
            for _ in range(args.rounds):
                for name, (path, script) in SCENARIOS.items():
                    results[name].append(wrk(base + path, args.seconds, args.connections, script))
        finally:
            web.terminate()
            web.wait(20)
    base_rps = median([r for r, _ in results["GET /healthz (baseline)"]])
    print(
        f"gunicorn 2 workers x 4 threads, wrk -t2 -c{args.connections} -d{args.seconds}s, "
        f"{args.rounds} rounds, SQLite synchronous={args.synchronous} (medians)"
    )
    for name, runs in results.items():
        rps = median([r for r, _ in runs])
        p50 = median([p for _, p in runs])
        print(
            f"  {name:34s} {rps:8.0f} req/s  p50 {p50:6.2f} ms  x{rps / base_rps:.2f} of baseline"
        )


if __name__ == "__main__":
    main()
