#!/usr/bin/env python3
"""faultkit: the clients and probes that the fault scenarios (bench/faults/*.sh) drive.

Each subcommand does one bounded thing against 127.0.0.1 (or a Unix socket) and ends by printing
one line of key=value pairs, which the scenario copies into its RESULT line (--prefix names a
phase: base_, abuse_ ...). Values never contain spaces, so the line splits on blanks.

The tools that hold connections (hold-unix, slow-readers, stall, thread-cpu) run until SIGUSR1,
or --hold-max seconds, and rewrite --status-file as they go, so the calling script polls a
condition with a deadline instead of sleeping. Every loop is bounded in count and in time.
"""
import argparse
import errno
import os
import random
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

STOP = threading.Event()

# struct tcp_info starts with the state byte (include/uapi/linux/tcp.h); these are its values.
TCP_ESTABLISHED, TCP_CLOSE, TCP_CLOSE_WAIT = 1, 7, 8


def on_usr1(_signum, _frame):
    STOP.set()


def now():
    return time.monotonic()


def ms(seconds):
    return round(seconds * 1000.0, 2)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list; None when it is empty."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil without floats
    return sorted_values[int(rank) - 1]


def latency_fields(latencies_s):
    values = sorted(latencies_s)
    fields = {}
    for name, p in (("p50_ms", 50), ("p99_ms", 99)):
        v = percentile(values, p)
        fields[name] = ms(v) if v is not None else "na"
    fields["max_ms"] = ms(values[-1]) if values else "na"
    return fields


def emit(prefix, fields):
    print(" ".join(f"{prefix}{k}={v}" for k, v in fields.items()), flush=True)


def write_status(path, fields):
    """Replaces the status file atomically, so a reader never sees half a line."""
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(f"{k}={v}" for k, v in fields.items()) + "\n")
    os.replace(tmp, path)


def loopback(host_port):
    host, _, port = host_port.rpartition(":")
    # The workplace allows traffic to this machine only; refuse anything else outright.
    if not host.startswith("127.") and host not in ("localhost", "::1"):
        sys.exit(f"faultkit: {host_port}: loopback addresses only")
    return host, int(port)


def error_name(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno)).lower()
    return type(e).__name__


def tcp_state(s):
    try:
        return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
    except OSError:
        return None


def close_with_reset(s):
    """Closes with RST (SO_LINGER 0): no TIME_WAIT left on the client side to hold ports."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


# ---------------------------------------------------------------------------------------------
# admin sockets: lb speaks JSON lines; HAProxy's stats socket answers one command and closes, or,
# after "prompt", answers each line followed by "\n> ".

LB_STATUS = b'{"cmd":"status"}\n'
HAPROXY_INFO = b"show info\n"


def read_reply(s, proto, deadline):
    """One reply on a fresh connection: lb's first line; HAProxy's answer up to its close."""
    data = b""
    while now() < deadline:
        s.settimeout(max(0.001, deadline - now()))
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk
        if proto == "lb" and data.endswith(b"\n"):
            return data
    raise socket.timeout()


def cmd_unix_rtt(a):
    """A fresh connection and one status-like request, --count times, one after the other."""
    request = LB_STATUS if a.proto == "lb" else HAPROXY_INFO
    latencies, failed, error = [], 0, "none"
    for _ in range(a.count):
        t0 = now()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(a.timeout)
            s.connect(a.path)
            s.sendall(request)
            reply = read_reply(s, a.proto, t0 + a.timeout)
            good = b'"ok":true' in reply if a.proto == "lb" else b"Uptime_sec" in reply
            if good:
                latencies.append(now() - t0)
            else:
                failed += 1
                error = reply_error(reply)
        except OSError as e:
            failed += 1
            error = error_name(e)
        finally:
            s.close()
    fields = latency_fields(latencies)
    emit(a.prefix, {"ok": len(latencies), "failed": failed, "p50_ms": fields["p50_ms"], "max_ms": fields["max_ms"],
                    "error": error})
    if a.strict and failed:
        sys.exit(1)  # used as the operator's status command: its exit status is the verdict


def reply_error(reply):
    """lb's error code of a refused request ("limit", ...), or "empty" / "unexpected"."""
    if not reply:
        return "empty"
    text = reply.decode("utf-8", "replace")
    marker = '"code":"'
    if marker in text:
        return text.split(marker, 1)[1].split('"', 1)[0]
    return "unexpected"


def cmd_hold_unix(a):
    """Opens --count connections to a Unix socket and holds them, sending nothing.

    Reports how many connected, how many the server closed while held (and what it said first),
    and how many were still open at the end.
    """
    signal.signal(signal.SIGUSR1, on_usr1)
    sel = selectors.DefaultSelector()
    held, connect_failed, eagain = 0, 0, 0
    closed, said_limit, said_idle = 0, 0, 0
    first_close_s = None
    started = now()
    connect_deadline = started + a.connect_deadline
    replies = {}

    def service(timeout):
        nonlocal closed, said_limit, said_idle, first_close_s
        for key, _ in sel.select(timeout):
            s = key.fileobj
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            if chunk:
                replies[s] = replies.get(s, b"") + chunk
                continue
            said = replies.pop(s, b"")
            said_limit += b"too many" in said
            said_idle += b"no request within" in said
            closed += 1
            if first_close_s is None:
                first_close_s = now() - started
            sel.unregister(s)
            s.close()

    while held + connect_failed < a.count and now() < connect_deadline and not STOP.is_set():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(a.path)
        except BlockingIOError:
            # The listen backlog is full: the server is not accepting right now. Try again
            # shortly (bounded by connect_deadline), serving what the held ones receive meanwhile.
            s.close()
            eagain += 1
            service(0.002)
            continue
        except OSError:
            s.close()
            connect_failed += 1
            continue
        sel.register(s, selectors.EVENT_READ)
        held += 1
        if held % 256 == 0:
            service(0)
    write_status(a.status_file, {"phase": "holding", "connected": held, "open": held - closed})
    hold_deadline = now() + a.hold_max
    last_status = 0.0
    while not STOP.is_set() and now() < hold_deadline:
        service(0.05)
        if now() - last_status >= 0.1:
            write_status(a.status_file, {"phase": "holding", "connected": held, "open": held - closed})
            last_status = now()
    still_open = held - closed
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    emit(a.prefix, {
        "connected": held, "connect_failed": connect_failed, "not_connected": a.count - held - connect_failed,
        "backlog_full_retries": eagain, "closed_by_server": closed, "told_too_many": said_limit,
        "told_idle": said_idle, "open_at_end": still_open,
        "first_close_ms": ms(first_close_s) if first_close_s is not None else "na",
    })


def pipeline_requests(proto, count):
    """Every tenth request is a different kind, so that the replies' order can be checked.

    lb: version, and an unknown command carrying its index (its error reply quotes it back).
    HAProxy: show version, and show info (its CLI has no command that echoes an argument).
    """
    parts = [b"prompt\n"] if proto == "haproxy" else []
    for i in range(count):
        marker = i % 10 == 9
        if proto == "lb":
            parts.append(b'{"cmd":"nope_%d"}\n' % i if marker else b'{"cmd":"version"}\n')
        else:
            parts.append(b"show info\n" if marker else b"show version\n")
    return b"".join(parts)


def reply_matches(proto, i, reply):
    marker = i % 10 == 9
    if proto == "lb":
        if marker:
            return b'"unknown_command"' in reply and b'\\"nope_%d\\"' % i in reply
        return reply.startswith(b'{"ok":true,"result":{"version"')
    if marker:
        return reply.startswith(b"Name: HAProxy")
    return not reply.startswith(b"Name:") and len(reply) < 200


def cmd_pipeline(a):
    """Sends --count requests in one write and reads every reply, checking count and order."""
    data = pipeline_requests(a.proto, a.count)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    s.connect(a.path)
    write_error = []

    def write_all():
        try:
            s.sendall(data)  # one call; the kernel hands it over as the server makes room
        except OSError as e:
            write_error.append(error_name(e))

    t0 = now()
    writer = threading.Thread(target=write_all, daemon=True)
    writer.start()
    separator = b"\n" if a.proto == "lb" else b"\n> "
    buf, replies, first_bad, end = b"", 0, None, "complete"
    skip_prompt = a.proto == "haproxy"  # "prompt" itself answers with an empty reply
    deadline = t0 + a.timeout
    while replies < a.count:
        if now() >= deadline:
            end = "timeout"
            break
        s.settimeout(max(0.001, min(a.idle_timeout, deadline - now())))
        try:
            chunk = s.recv(1 << 20)
        except socket.timeout:
            end = "stalled"
            break
        except OSError as e:
            end = error_name(e)
            break
        if not chunk:
            end = "eof"
            break
        buf += chunk
        pieces = buf.split(separator)
        buf = pieces.pop()
        for reply in pieces:
            if skip_prompt:
                skip_prompt = False
                continue
            if replies < a.count and first_bad is None and not reply_matches(a.proto, replies, reply):
                first_bad = replies
            replies += 1
    elapsed = now() - t0
    s.close()
    emit(a.prefix, {
        "requests": a.count, "replies": replies, "in_order": "yes" if first_bad is None and replies else "no",
        "first_bad": first_bad if first_bad is not None else "none", "end": end,
        "write_error": write_error[0] if write_error else "none",
        "ms": ms(elapsed), "per_s": int(replies / elapsed) if elapsed > 0 else 0,
    })


# ---------------------------------------------------------------------------------------------
# TCP clients


def cmd_echo_rr(a):
    """--count exchanges of --size random bytes on one connection, paced --interval-ms apart.

    Each echo is checked byte for byte. A failed exchange (timeout, reset, wrong bytes) is
    counted and the next one reconnects; latencies are of good exchanges only, so read them
    with the failure count beside them.
    """
    host, port = loopback(a.target)
    rng = random.Random(a.size)
    s, latencies, failed, errors = None, [], 0, {}
    stamped = []  # (latency, when in the run): the slowest exchanges are reported with their time
    interval = a.interval_ms / 1000.0
    if a.warmup:
        warm_up(host, port, a.warmup, a.size, a.timeout)
    start = now()
    hard_deadline = start + a.count * interval + a.count * a.timeout + 5
    for i in range(a.count):
        # Pacing on a fixed schedule (not synchronisation): exchange i is due at start + i*interval.
        due = start + i * interval
        if due > now():
            time.sleep(due - now())
        if now() > hard_deadline:
            failed += a.count - i
            errors["deadline"] = errors.get("deadline", 0) + a.count - i
            break
        payload = rng.randbytes(a.size)
        try:
            if s is None:
                s = socket.create_connection((host, port), timeout=a.timeout)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            t0 = now()
            s.settimeout(a.timeout)
            s.sendall(payload)
            got = bytearray()
            while len(got) < a.size:
                chunk = s.recv(a.size - len(got))
                if not chunk:
                    raise EOFError()
                got += chunk
            if bytes(got) != payload:
                raise ValueError("mismatch")
            latencies.append(now() - t0)
            stamped.append((now() - t0, t0 - start))
        except (OSError, EOFError, ValueError) as e:
            failed += 1
            name = "eof" if isinstance(e, EOFError) else "mismatch" if isinstance(e, ValueError) else error_name(e)
            errors[name] = errors.get(name, 0) + 1
            if s is not None:
                s.close()
            s = None
    if s is not None:
        s.close()
    worst = sorted(stamped, reverse=True)[:3]
    emit(a.prefix, {"ok": len(latencies), "failed": failed, **latency_fields(latencies),
                    "errors": ",".join(f"{k}:{v}" for k, v in sorted(errors.items())) or "none",
                    "worst_at_s": ",".join(f"{when:.1f}:{ms(lat)}ms" for lat, when in worst) or "na"})


def warm_up(host, port, count, size, timeout):
    """Unpaced exchanges that are not counted: the JIT has compiled the relay path afterwards."""
    deadline = now() + 10
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            payload = bytes(size)
            for _ in range(count):
                if now() > deadline:
                    return
                s.sendall(payload)
                got = 0
                while got < size:
                    chunk = s.recv(size - got)
                    if not chunk:
                        return
                    got += len(chunk)
    except OSError:
        pass  # a warm-up that fails shows again, counted, in the exchanges that follow


def connect_many(host, port, count, rcvbuf, deadline, in_flight=256):
    """Non-blocking connects, at most in_flight pending at once; returns (connected, failed)."""
    sel = selectors.DefaultSelector()
    connected, failed, started = [], 0, 0
    while (started < count or sel.get_map()) and now() < deadline:
        while started < count and len(sel.get_map()) < in_flight:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if rcvbuf:
                # Before connect, so the window the client announces is small from the first SYN.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            s.setblocking(False)
            started += 1
            err = s.connect_ex((host, port))
            if err in (0, errno.EINPROGRESS):
                sel.register(s, selectors.EVENT_WRITE)
            else:
                failed += 1
                s.close()
        for key, _ in sel.select(0.05):
            s = key.fileobj
            sel.unregister(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                connected.append(s)
            else:
                failed += 1
                s.close()
    for key in list(sel.get_map().values()):
        key.fileobj.close()
        failed += 1
    return connected, failed + (count - started)


def cmd_slow_readers(a):
    """--count clients with a small SO_RCVBUF that connect and then never read.

    At the end each socket's TCP state tells what the proxy did to it: still established,
    reset (RST: state CLOSE), or closed with a FIN (CLOSE_WAIT).
    """
    signal.signal(signal.SIGUSR1, on_usr1)
    host, port = loopback(a.target)
    socks, failed = connect_many(host, port, a.count, a.rcvbuf, now() + a.connect_deadline)
    write_status(a.status_file, {"phase": "holding", "connected": len(socks), "failed": failed})
    hold_deadline = now() + a.hold_max
    while not STOP.wait(0.5) and now() < hold_deadline:
        pass
    states = {}
    for s in socks:
        st = tcp_state(s)
        states[st] = states.get(st, 0) + 1
    for s in socks:
        close_with_reset(s)
    emit(a.prefix, {
        "connected": len(socks), "connect_failed": failed,
        "open": states.get(TCP_ESTABLISHED, 0), "reset": states.get(TCP_CLOSE, 0),
        "fin": states.get(TCP_CLOSE_WAIT, 0),
        "other": sum(v for k, v in states.items() if k not in (TCP_ESTABLISHED, TCP_CLOSE, TCP_CLOSE_WAIT)),
    })


def cmd_burst(a):
    """--count clients connect at once, each sends --size bytes of its own and checks the echo.

    A client whose echo was right keeps its connection --hold-ms longer, so that the proxy's
    descriptors stay in use for a while (the burst's waves overlap) instead of being freed at once.

    Outcomes: ok, refused (connect refused), reset, eof (closed before the whole echo), mismatch,
    timeout (not done by --deadline; split by whether it had connected).
    """
    host, port = loopback(a.target)
    sel = selectors.DefaultSelector()
    t0 = now()
    deadline = t0 + a.deadline
    outcome = {k: 0 for k in ("ok", "refused", "reset", "eof", "mismatch", "other")}
    done_at = []

    class Client:
        __slots__ = ("sock", "payload", "sent", "got", "connected")

    holding = []  # (close at, socket): verified clients that keep their connection a while

    def finish(c, result):
        sel.unregister(c.sock)
        outcome[result] += 1
        if result == "ok":
            done_at.append(now() - t0)
            holding.append((now() + a.hold_ms / 1000.0, c.sock))
        else:
            close_with_reset(c.sock)

    def release(until):
        while holding and holding[0][0] <= until:
            holding.pop(0)[1].close()

    for i in range(a.count):
        c = Client()
        c.payload = random.Random(i).randbytes(a.size)  # each client's own bytes: no cross-talk unseen
        c.sent, c.got, c.connected = 0, bytearray(), False
        c.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.sock.setblocking(False)
        err = c.sock.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            outcome["refused" if err == errno.ECONNREFUSED else "other"] += 1
            c.sock.close()
            continue
        sel.register(c.sock, selectors.EVENT_WRITE, c)
    while sel.get_map() and now() < deadline:
        release(now())
        for key, events in sel.select(min(0.05, max(0.001, deadline - now()))):
            c = key.data
            try:
                if not c.connected:
                    err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        finish(c, "refused" if err == errno.ECONNREFUSED else
                               "reset" if err == errno.ECONNRESET else "other")
                        continue
                    c.connected = True
                if c.sent < a.size and events & selectors.EVENT_WRITE:
                    c.sent += c.sock.send(c.payload[c.sent:])
                    if c.sent == a.size:
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                    continue
                if events & selectors.EVENT_READ:
                    chunk = c.sock.recv(65536)
                    if not chunk:
                        finish(c, "eof")
                        continue
                    c.got += chunk
                    if len(c.got) >= a.size:
                        finish(c, "ok" if bytes(c.got) == c.payload else "mismatch")
            except ConnectionResetError:
                finish(c, "reset")
            except BrokenPipeError:
                finish(c, "reset")
            except OSError:
                finish(c, "other")
    release(float("inf"))
    timeout_connected = sum(1 for k in sel.get_map().values() if k.data.connected)
    timeout_connecting = len(sel.get_map()) - timeout_connected
    for key in list(sel.get_map().values()):
        close_with_reset(key.fileobj)
    emit(a.prefix, {**outcome, "timeout_connected": timeout_connected, "timeout_connecting": timeout_connecting,
                    "done_p50_ms": latency_fields(done_at)["p50_ms"], "done_max_ms": latency_fields(done_at)["max_ms"],
                    "elapsed_ms": ms(now() - t0)})


# ---------------------------------------------------------------------------------------------
# HTTP: metrics scrapes and a client that stalls half-way through its request


def cmd_scrape(a):
    """--count GETs of --path, each on a fresh connection, paced --interval-ms apart."""
    host, port = loopback(a.target)
    request = (f"GET {a.path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n").encode()
    latencies, failed, errors, failed_at = [], 0, {}, []
    start = now()
    for i in range(a.count):
        due = start + i * a.interval_ms / 1000.0  # pacing, not synchronisation
        if due > now():
            time.sleep(due - now())
        t0 = now()
        try:
            with socket.create_connection((host, port), timeout=a.timeout) as s:
                s.sendall(request)
                data = b""
                while True:
                    s.settimeout(max(0.001, t0 + a.timeout - now()))
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            if not data.startswith(b"HTTP/1.") or data.split(b" ", 2)[1] != b"200":
                raise ValueError(data[:12].decode("ascii", "replace").replace(" ", "_") or "empty")
            latencies.append(now() - t0)
        except (OSError, ValueError) as e:
            failed += 1
            name = str(e) if isinstance(e, ValueError) else error_name(e)
            errors[name] = errors.get(name, 0) + 1
            failed_at.append(t0 - start)
    emit(a.prefix, {"ok": len(latencies), "failed": failed, **latency_fields(latencies),
                    "errors": ",".join(f"{k}:{v}" for k, v in sorted(errors.items())) or "none",
                    "first_failure_at_ms": ms(failed_at[0]) if failed_at else "na"})


def cmd_stall(a):
    """--count clients send half an HTTP request (no blank line) and stop.

    Records when the server gives up on them (EOF, reset, or an error status) until SIGUSR1.
    """
    signal.signal(signal.SIGUSR1, on_usr1)
    host, port = loopback(a.target)
    half = f"GET {a.path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
    sel = selectors.DefaultSelector()
    t0 = now()
    for _ in range(a.count):
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(half)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    write_status(a.status_file, {"phase": "stalling", "open": a.count})
    closed_at, answered = [], 0
    deadline = now() + a.hold_max
    while not STOP.is_set() and now() < deadline and sel.get_map():
        for key, _ in sel.select(0.05):
            s = key.fileobj
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            answered += chunk.startswith(b"HTTP/")
            if not chunk or chunk.startswith(b"HTTP/"):
                closed_at.append(now() - t0)
                sel.unregister(s)
                s.close()
        write_status(a.status_file, {"phase": "stalling", "open": len(sel.get_map())})
    still_open = len(sel.get_map())
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    emit(a.prefix, {"stalled": a.count, "dropped_by_server": len(closed_at), "answered": answered,
                    "still_open": still_open,
                    "dropped_after_ms": ms(min(closed_at)) if closed_at else "na"})


# ---------------------------------------------------------------------------------------------
# processes


def cmd_thread_cpu(a):
    """CPU time of the threads of --pid named --name, and of the whole process, until SIGUSR1.

    Sampled from /proc/PID/task/*/stat every --interval-ms; max_pct is the busiest interval, and
    max_fds the most descriptors the process had open at a sample.
    """
    signal.signal(signal.SIGUSR1, on_usr1)
    tick = os.sysconf("SC_CLK_TCK")

    def cpu_ticks(stat_path):
        with open(stat_path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)

    def sample():
        named = 0
        for tid in os.listdir(f"/proc/{a.pid}/task"):
            try:
                with open(f"/proc/{a.pid}/task/{tid}/comm") as f:
                    if f.read().strip() == a.name:
                        named += cpu_ticks(f"/proc/{a.pid}/task/{tid}/stat")
            except OSError:
                pass  # the thread ended between listing and reading
        return named, cpu_ticks(f"/proc/{a.pid}/stat")

    def descriptors():
        try:
            return len(os.listdir(f"/proc/{a.pid}/fd"))
        except OSError:
            return 0

    interval = a.interval_ms / 1000.0
    max_fds = descriptors()
    try:
        first = last = sample()
    except OSError:
        sys.exit(f"faultkit: no process {a.pid}")
    max_named = max_proc = 0.0
    deadline = now() + a.hold_max
    t_last = now()
    while not STOP.wait(interval) and now() < deadline:
        try:
            cur = sample()
        except OSError:
            break  # the process is gone: report what was seen
        max_fds = max(max_fds, descriptors())
        dt = now() - t_last
        max_named = max(max_named, (cur[0] - last[0]) / tick / dt * 100)
        max_proc = max(max_proc, (cur[1] - last[1]) / tick / dt * 100)
        last, t_last = cur, now()
    emit(a.prefix, {"thread": a.name, "thread_cpu_ms": (last[0] - first[0]) * 1000 // tick,
                    "thread_max_pct": round(max_named), "proc_cpu_ms": (last[1] - first[1]) * 1000 // tick,
                    "proc_max_pct": round(max_proc), "max_fds": max_fds})


def cmd_launch_watch(a):
    """Starts a daemon (the command after --) and watches it die.

    Stamps each line of its output (stdout and stderr together), probes --port with connects the
    whole time, and after the process has exited checks that every connection that had been
    accepted ends (EOF or reset) within 1 s: none may hang. With --term-when-ready (a control
    run without a fault) the daemon gets SIGTERM once it has logged its ready line.
    """
    # A SIGTERM from the calling script's cleanup must still stop the daemon (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t0 = now()
    # stdout and stderr as one stream: a one-line refusal is one line wherever it was printed.
    proc = subprocess.Popen(a.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []  # (seconds since start, text)
    ready = threading.Event()

    def read_output():
        for raw in proc.stdout:
            text = raw.decode("utf-8", "replace").rstrip("\n")
            lines.append((now() - t0, text))
            if " ready: " in text:
                ready.set()

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    probes = []
    attempts = 0

    def probe():
        nonlocal attempts
        # Until the process is gone: connects that land in the backlog of a dying process must
        # end too, so keep trying while it lives, then stop.
        while a.port and proc.poll() is None and now() - t0 < a.deadline:
            attempts += 1
            s = socket.socket()
            s.settimeout(0.2)
            try:
                s.connect(("127.0.0.1", a.port))
                probes.append(s)
            except OSError:
                s.close()
            time.sleep(0.002)  # pacing the attempts, not synchronisation

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    termed = False
    try:
        while proc.poll() is None and now() - t0 < a.deadline:
            if a.term_when_ready and ready.wait(0.01) and not termed:
                proc.send_signal(signal.SIGTERM)
                termed = True
            else:
                time.sleep(0.005)  # waiting for exit: poll() with a deadline
        status = proc.poll()
        exit_s = now() - t0
        if status is None:
            proc.kill()
            proc.wait()
            status = "none_killed_at_deadline"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    prober.join(1)
    reader.join(2)
    hung = 0
    for s in probes:
        s.settimeout(1.0)
        try:
            while s.recv(65536):
                pass  # a byte from a dead daemon would be odd, but what matters is that it ends
        except socket.timeout:
            hung += 1
        except OSError:
            pass  # reset: ended
        s.close()
    ready_s = next((t for t, text in lines if " ready: " in text), None)
    died_s = next((t for t, text in lines if " died" in text), None)
    stack = sum(1 for _, text in lines if text.lstrip().startswith("at ") or text.startswith("\tat "))
    if lines:
        print(f"# first line: {lines[0][1]}", file=sys.stderr)
    for t, text in lines:
        if " died" in text:
            print(f"# died line: {text}", file=sys.stderr)
    if a.log:
        with open(a.log, "w") as f:
            f.writelines(f"{ms(t):10.2f} {text}\n" for t, text in lines)
            f.write(f"{ms(exit_s):10.2f} (exit {status})\n")
    emit(a.prefix, {
        "exit": status, "exit_ms": ms(exit_s), "ready_ms": ms(ready_s) if ready_s is not None else "never",
        "died_ms": ms(died_s) if died_s is not None else "na",
        "died_to_exit_ms": ms(exit_s - died_s) if died_s is not None else "na",
        "lines": len(lines), "stack_lines": stack,
        "probe_attempts": attempts, "probe_connected": len(probes), "probe_hung": hung,
    })


def cmd_wait_sessions(a):
    """Polls the proxy's open-session count until it reaches --min or --deadline passes."""
    deadline = now() + a.deadline
    count = -1
    while True:
        try:
            count = lb_sessions(a.lb_admin, a.listener) if a.lb_admin else haproxy_sessions(a.haproxy_sock, a.frontend)
        except OSError:
            count = -1  # the admin side may be briefly unable to answer (out of descriptors, say)
        if count >= a.min or now() >= deadline:
            break
        time.sleep(0.2)  # polling interval of a condition with a deadline
    emit(a.prefix, {"sessions": count})


def lb_sessions(path, listener):
    import json
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        s.sendall(LB_STATUS)
        reply = json.loads(read_reply(s, "lb", now() + 5))
    for l in reply["result"]["listeners"]:
        if l["name"] == listener:
            return l["active_sessions"]
    raise OSError(f"no listener {listener}")


def cmd_lb_ends(a):
    """A listener's session counts from lb's stats: total, active, and each kind of end seen."""
    import json
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(a.lb_admin)
        s.sendall(b'{"cmd":"stats"}\n')
        reply = json.loads(read_reply(s, "lb", now() + 10))
    listener = next(l for l in reply["result"]["listeners"] if l["name"] == a.listener)
    fields = {"sessions": listener["sessions_total"], "active": listener["active_sessions"]}
    fields.update({f"ended_{k}": v for k, v in listener["ended"].items() if v})
    emit(a.prefix, fields)


def haproxy_command(path, command):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        s.sendall(command)
        return read_reply(s, "haproxy", now() + 5).decode()


def cmd_haproxy_state(a):
    """HAProxy's own limits (show info) and how many of its servers are DOWN (show stat)."""
    info = dict(l.split(": ", 1) for l in haproxy_command(a.path, b"show info\n").splitlines() if ": " in l)
    lines = haproxy_command(a.path, b"show stat\n").splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, l.split(","))) for l in lines[1:] if l]
    servers = [r for r in rows if r.get("svname") not in ("FRONTEND", "BACKEND")]
    emit(a.prefix, {"maxconn": info.get("Maxconn"), "ulimit_n": info.get("Ulimit-n"),
                    "servers_down": sum(1 for r in servers if r.get("status", "").startswith("DOWN"))})


def haproxy_sessions(path, frontend):
    text = haproxy_command(path, b"show stat\n")
    header = text.splitlines()[0].lstrip("# ").split(",")
    for line in text.splitlines()[1:]:
        row = dict(zip(header, line.split(",")))
        if row.get("pxname") == frontend and row.get("svname") == "FRONTEND":
            return int(row["scur"])
    raise OSError(f"no frontend {frontend}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--prefix", default="", help="prepended to every key of the output line")
    sub = p.add_subparsers(dest="cmd", required=True)

    c = sub.add_parser("unix-rtt", help="status-like request latency on fresh admin connections")
    c.add_argument("path")
    c.add_argument("--proto", choices=("lb", "haproxy"), required=True)
    c.add_argument("--count", type=int, default=5)
    c.add_argument("--timeout", type=float, default=10)
    c.add_argument("--strict", action="store_true", help="exit 1 when a request failed")
    c.set_defaults(run=cmd_unix_rtt)

    c = sub.add_parser("hold-unix", help="open and hold connections to a Unix socket")
    c.add_argument("path")
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--connect-deadline", type=float, default=20)
    c.add_argument("--hold-max", type=float, default=60)
    c.add_argument("--status-file")
    c.set_defaults(run=cmd_hold_unix)

    c = sub.add_parser("pipeline", help="many requests in one write; check every reply and its order")
    c.add_argument("path")
    c.add_argument("--proto", choices=("lb", "haproxy"), required=True)
    c.add_argument("--count", type=int, default=100000)
    c.add_argument("--timeout", type=float, default=60, help="for the whole exchange")
    c.add_argument("--idle-timeout", type=float, default=10, help="longest wait for the next bytes")
    c.set_defaults(run=cmd_pipeline)

    c = sub.add_parser("echo-rr", help="paced request/response exchanges through an echo path")
    c.add_argument("target")
    c.add_argument("--count", type=int, default=1000)
    c.add_argument("--interval-ms", type=float, default=10)
    c.add_argument("--size", type=int, default=1024)
    c.add_argument("--timeout", type=float, default=2)
    c.add_argument("--warmup", type=int, default=0, help="uncounted, unpaced exchanges first")
    c.set_defaults(run=cmd_echo_rr)

    c = sub.add_parser("slow-readers", help="clients that connect and never read")
    c.add_argument("target")
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--rcvbuf", type=int, default=4096)
    c.add_argument("--connect-deadline", type=float, default=30)
    c.add_argument("--hold-max", type=float, default=60)
    c.add_argument("--status-file")
    c.set_defaults(run=cmd_slow_readers)

    c = sub.add_parser("burst", help="clients that connect at once and each check one echo")
    c.add_argument("target")
    c.add_argument("--count", type=int, default=400)
    c.add_argument("--size", type=int, default=4096)
    c.add_argument("--deadline", type=float, default=30)
    c.add_argument("--hold-ms", type=float, default=0)
    c.set_defaults(run=cmd_burst)

    c = sub.add_parser("scrape", help="paced HTTP GETs, one connection each")
    c.add_argument("target")
    c.add_argument("--path", default="/metrics")
    c.add_argument("--count", type=int, default=50)
    c.add_argument("--interval-ms", type=float, default=100)
    c.add_argument("--timeout", type=float, default=15)
    c.set_defaults(run=cmd_scrape)

    c = sub.add_parser("stall", help="clients that send half an HTTP request and stop")
    c.add_argument("target")
    c.add_argument("--path", default="/metrics")
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--hold-max", type=float, default=60)
    c.add_argument("--status-file")
    c.set_defaults(run=cmd_stall)

    c = sub.add_parser("thread-cpu", help="CPU of named threads of a process")
    c.add_argument("--pid", type=int, required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--interval-ms", type=float, default=200)
    c.add_argument("--hold-max", type=float, default=120)
    c.set_defaults(run=cmd_thread_cpu)

    c = sub.add_parser("launch-watch", help="start a daemon, watch it exit, probe its port")
    c.add_argument("--port", type=int, default=0, help="probe this port with connects (0: none)")
    c.add_argument("--deadline", type=float, default=20)
    c.add_argument("--term-when-ready", action="store_true")
    c.add_argument("--log", help="write the daemon's output here, each line with its time (ms)")
    c.add_argument("command", nargs=argparse.REMAINDER)
    c.set_defaults(run=cmd_launch_watch)

    c = sub.add_parser("wait-sessions", help="poll a proxy's open sessions up to a count")
    c.add_argument("--min", type=int, required=True)
    c.add_argument("--deadline", type=float, default=30)
    c.add_argument("--lb-admin")
    c.add_argument("--listener")
    c.add_argument("--haproxy-sock")
    c.add_argument("--frontend")
    c.set_defaults(run=cmd_wait_sessions)

    c = sub.add_parser("lb-ends", help="a listener's sessions and ends from lb's stats")
    c.add_argument("--lb-admin", required=True)
    c.add_argument("--listener", required=True)
    c.set_defaults(run=cmd_lb_ends)

    c = sub.add_parser("haproxy-state", help="HAProxy's maxconn, ulimit-n and DOWN servers")
    c.add_argument("path")
    c.set_defaults(run=cmd_haproxy_state)

    a = p.parse_args()
    if a.cmd == "launch-watch" and a.command[:1] == ["--"]:
        a.command = a.command[1:]
    a.run(a)


if __name__ == "__main__":
    main()
