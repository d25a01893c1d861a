#!/usr/bin/env python3
"""Memory per idle proxied connection: lb against HAProxy and nginx stream, each in a fresh process.

usage: bench/idle-memory.py [--conns N] [--rounds R] [--only lb,haproxy,nginx] [--jar PATH]
                            [--java-opts "..."] [--settle SECONDS]

For each proxy and round: start the proxy (fresh, no traffic before) on 127.0.0.1 in front of a
backend that accepts and holds connections, open N client connections through it, send one byte
on each so the proxy has connected its backend side, wait until the backend holds all N, and
report the proxy's RSS growth per connection (KiB; includes heap pages the JVM touches for the
first time, so it is the conservative figure for lb). For lb it also reports the live Java heap
per connection (jcmd GC.class_histogram before and after, both after a full GC).

Loopback only; every wait is bounded; every process started is stopped on exit. Needs python3,
and haproxy / nginx-light + libnginx-mod-stream for the comparison (skipped with a message when
missing; `apt-get install haproxy nginx-light libnginx-mod-stream` installs them).
"""
import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, deadline_s=20.0):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open within {deadline_s} s")


def rss_kib(pid):
    """VmRSS of pid and its child processes (nginx workers)."""
    total = 0
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for p in [pid] + [int(c) for c in children]:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def live_heap_bytes(pid):
    """Total live heap after a full GC, from jcmd's class histogram."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"^Total\s+\d+\s+(\d+)", out, re.MULTILINE)
    return int(m.group(1)) if m else None


class HoldingBackend:
    """Accepts connections and holds them, discarding whatever arrives."""

    def __init__(self):
        self.held = 0
        self.server = None
        self.port = None

    async def start(self):
        self.server = await asyncio.start_server(self._hold, "127.0.0.1", 0, backlog=4096)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _hold(self, reader, writer):
        self.held += 1
        try:
            while await reader.read(4096):
                pass
        except OSError:
            pass
        finally:
            self.held -= 1
            writer.close()


def start_proxy(name, port, backend_port, work, args):
    backend = f"127.0.0.1:{backend_port}"
    if name == "lb":
        cmd = ["java", *args.java_opts.split(), "-jar", args.jar, "--listen", f"127.0.0.1:{port}",
               "--backends", backend, "--no-access-log"]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(f"{work}/lb-{port}.log", "w"))
    if name == "haproxy":
        cfg = f"{work}/haproxy-{port}.cfg"
        with open(cfg, "w") as f:
            f.write(f"""global
    nbthread 2
    maxconn {args.conns * 2 + 100}
defaults
    mode tcp
    timeout connect 5s
    timeout client 120s
    timeout server 120s
frontend fe
    bind 127.0.0.1:{port}
    default_backend be
backend be
    server s0 {backend}
""")
        return subprocess.Popen(["haproxy", "-f", cfg, "-db"], stdout=subprocess.DEVNULL,
                                stderr=open(f"{work}/haproxy-{port}.log", "w"))
    if name == "nginx":
        cfg = f"{work}/nginx-{port}.conf"
        with open(cfg, "w") as f:
            f.write(f"""load_module {NGINX_STREAM_MODULE};
worker_processes 2; daemon off; pid {work}/nginx-{port}.pid; error_log {work}/nginx-{port}.err;
worker_rlimit_nofile {args.conns * 4 + 100};
events {{ worker_connections {args.conns * 2 + 100}; }}
stream {{ server {{ listen 127.0.0.1:{port} reuseport; proxy_pass {backend}; proxy_connect_timeout 5s;
                   proxy_timeout 120s; }} }}
""")
        return subprocess.Popen(["nginx", "-c", cfg, "-p", work], stdout=subprocess.DEVNULL,
                                stderr=open(f"{work}/nginx-{port}.log", "w"))
    raise ValueError(name)


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


async def measure(name, backend, work, args):
    port = free_port()
    proc = start_proxy(name, port, backend.port, work, args)
    conns = []
    try:
        await asyncio.get_running_loop().run_in_executor(None, wait_port, port)
        await asyncio.sleep(1.0)  # let start-up settle (JIT threads, nginx workers) before the baseline
        heap_before = live_heap_bytes(proc.pid) if name == "lb" else None
        rss_before = rss_kib(proc.pid)
        base_held = backend.held
        for i in range(0, args.conns, 200):
            batch = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port)
                                           for _ in range(min(200, args.conns - i))), return_exceptions=True)
            for c in batch:
                if isinstance(c, tuple):
                    c[1].write(b"x")
                    conns.append(c)
        end = time.monotonic() + 30
        while backend.held - base_held < len(conns) and time.monotonic() < end:
            await asyncio.sleep(0.05)
        held = backend.held - base_held
        await asyncio.sleep(args.settle)  # the proxies' lazy per-connection allocations
        rss_after = rss_kib(proc.pid)
        heap_after = live_heap_bytes(proc.pid) if name == "lb" else None
        result = {"opened": len(conns), "held": held, "rss_kib_per_conn": (rss_after - rss_before) / max(held, 1)}
        if heap_before is not None and heap_after is not None:
            result["heap_bytes_per_conn"] = (heap_after - heap_before) / max(held, 1)
        return result
    finally:
        for _, w in conns:
            w.close()
        stop(proc)
        end = time.monotonic() + 10
        while backend.held > 0 and time.monotonic() < end:
            await asyncio.sleep(0.05)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conns", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="lb,haproxy,nginx")
    parser.add_argument("--jar", default="lb-daemon/target/lb-daemon.jar")
    parser.add_argument("--java-opts", default="-XX:+UseParallelGC")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="seconds between the last connection held and the reading (memory the burst "
                             "itself took, such as the JIT's, may be given back meanwhile)")
    args = parser.parse_args()
    if not 1 <= args.conns <= 20000 or not 1 <= args.rounds <= 10:
        sys.exit("--conns must be 1..20000 and --rounds 1..10")

    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.conns * 2 + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))

    names = []
    for name in args.only.split(","):
        if name == "lb" and not os.path.exists(args.jar):
            print(f"skipping lb: {args.jar} not built (mvn -B -q package -DskipTests)", file=sys.stderr)
        elif name == "haproxy" and not shutil.which("haproxy"):
            print("skipping haproxy: not installed (apt-get install haproxy)", file=sys.stderr)
        elif name == "nginx" and not (shutil.which("nginx") and os.path.exists(NGINX_STREAM_MODULE)):
            print("skipping nginx: not installed (apt-get install nginx-light libnginx-mod-stream)", file=sys.stderr)
        else:
            names.append(name)

    backend = HoldingBackend()
    await backend.start()
    results = {n: [] for n in names}
    with tempfile.TemporaryDirectory(prefix="lb-idle-") as work:
        for r in range(args.rounds):
            for name in names:
                res = await measure(name, backend, work, args)
                print(f"round {r + 1} {name}: {res}", file=sys.stderr)
                if res["held"] < args.conns:
                    print(f"  {name}: only {res['held']} of {args.conns} connections reached the backend",
                          file=sys.stderr)
                results[name].append(res)

    print(f"| proxy | RSS growth KiB per idle connection (median of {args.rounds}, fresh process, "
          f"{args.conns} conns) | live heap bytes per connection |")
    print("|---|---|---|")
    for name in names:
        rss = statistics.median(r["rss_kib_per_conn"] for r in results[name])
        heaps = [r["heap_bytes_per_conn"] for r in results[name] if "heap_bytes_per_conn" in r]
        heap = f"{statistics.median(heaps):.0f}" if heaps else "-"
        print(f"| {name} | {rss:.2f} | {heap} |")


if __name__ == "__main__":
    asyncio.run(main())
