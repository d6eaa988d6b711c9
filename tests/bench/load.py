"""HTTP load generators for the benchmarks: ``wrk`` when it is on PATH, else an asyncio client.

Both hold ``connections`` keep-alive HTTP/1.1 connections busy for a fixed number of seconds and
report the same figures (:class:`LoadResult`). ``PERKS_BENCH_GENERATOR`` picks one by hand:
``auto`` (the default), ``wrk`` or ``python``. A request is a GET, or any method with a body
(wrk sends it through a Lua script); with ``variants``, the requests go round-robin through
copies of the URL and body, ``{variant}`` in each replaced by 0, 1, 2... (one session id each).

The client runs on the same machine as the server, so every CPU second it spends is one the
server does not get: the figures are a baseline for comparing versions of perks on one machine,
not the capacity of a deployment.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["LoadResult", "LoadSpec", "generator_name", "run_load"]

GENERATOR_VARIABLE = "PERKS_BENCH_GENERATOR"
GENERATORS = ("auto", "wrk", "python")
REQUEST_TIMEOUT_SECONDS = 5
WRK_GRACE_SECONDS = 30.0
MS_PER_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
VARIANT = "{variant}"


@dataclass(frozen=True)
class LoadSpec:
    """What to load: one URL on loopback, with its headers, connections and duration.

    ``method`` and ``body`` (its Content-Type goes in ``headers``) make other requests than a
    GET. With ``variants`` > 0, ``{variant}`` in the URL's path and in the body stands for
    0 .. variants - 1: request after request takes the next one, round-robin. An answer that
    takes longer than ``timeout_seconds`` counts as an error.
    """

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    connections: int = 32
    seconds: int = 10
    method: str = "GET"
    body: bytes | None = None
    variants: int = 0
    timeout_seconds: int = REQUEST_TIMEOUT_SECONDS

    @property
    def path(self) -> str:
        """The URL's path and query, ``{variant}`` left in."""
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def requests(self) -> list[tuple[str, bytes | None]]:
        """Each variant's path (with its query) and body, in the order they are sent."""
        if self.variants <= 0:
            return [(self.path, self.body)]
        return [
            (
                self.path.replace(VARIANT, str(n)),
                None if self.body is None else self.body.replace(VARIANT.encode(), str(n).encode()),
            )
            for n in range(self.variants)
        ]


@dataclass(frozen=True)
class LoadResult:
    """The figures of one load run; ``errors`` counts failed exchanges and non-2xx answers."""

    generator: str
    url: str
    connections: int
    seconds: float
    requests: int
    errors: int
    requests_per_s: float
    latency_p50_ms: float
    latency_p99_ms: float
    latency_avg_ms: float
    latency_max_ms: float
    client_cpu_s: float
    note: str
    method: str = "GET"


def generator_name() -> str:
    """The generator this run uses: ``PERKS_BENCH_GENERATOR``, or wrk when it is installed."""
    chosen = os.environ.get(GENERATOR_VARIABLE, "auto").strip().lower() or "auto"
    if chosen not in GENERATORS:
        raise ValueError(f"{GENERATOR_VARIABLE}={chosen!r}: expected one of {GENERATORS}")
    if chosen == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if chosen == "wrk" and not shutil.which("wrk"):
        raise RuntimeError(f"{GENERATOR_VARIABLE}=wrk but wrk is not on PATH")
    return chosen


def run_load(spec: LoadSpec) -> LoadResult:
    """Load ``spec.url`` with the chosen generator and return its figures."""
    if generator_name() == "wrk":
        return run_wrk(spec)
    return run_python(spec)


# --- wrk ------------------------------------------------------------------------------------


# Sends LoadSpec.requests(): wrk.format()ted once in init(), then one after the other. The
# arguments after "--": method, variants, the file of the path, the file of the body (or "").
WRK_SCRIPT = """
local requests, sent = {}, 0

local function slurp(name)
  local file = assert(io.open(name, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

function init(args)
  local method, variants = args[1], tonumber(args[2])
  local path = slurp(args[3])
  local body = nil
  if args[4] ~= "" then body = slurp(args[4]) end
  if variants == 0 then
    requests[1] = wrk.format(method, path, nil, body)
    return
  end
  for n = 0, variants - 1 do
    local each_path = path:gsub("{variant}", tostring(n))
    local each_body = body and body:gsub("{variant}", tostring(n))
    requests[n + 1] = wrk.format(method, each_path, nil, each_body)
  end
end

function request()
  sent = sent % #requests + 1
  return requests[sent]
end
"""


def run_wrk(spec: LoadSpec) -> LoadResult:
    """Run ``wrk -t1`` against ``spec.url`` and parse its report."""
    wrk = shutil.which("wrk")
    assert wrk is not None, "wrk is not on PATH"
    command = [wrk, "-t1", f"-c{spec.connections}", f"-d{spec.seconds}s", "--latency"]
    command.append(f"--timeout={spec.timeout_seconds}s")
    for name, value in spec.headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="perks-wrk-") as directory:
        if spec.method == "GET" and spec.body is None and spec.variants <= 0:
            command.append(spec.url)
        else:
            command += _wrk_script(spec, Path(directory))
        cpu_before = _children_cpu_seconds()
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=spec.seconds + spec.timeout_seconds + WRK_GRACE_SECONDS,
            check=True,
        )
        client_cpu = _children_cpu_seconds() - cpu_before
    return parse_wrk(completed.stdout, spec, client_cpu_s=client_cpu)


def _wrk_script(spec: LoadSpec, directory: Path) -> list[str]:
    """wrk's arguments for a request other than a plain GET: the script, the URL of the
    server (the path comes from the script), and the script's own arguments."""
    parts = urlsplit(spec.url)
    script, path, body = directory / "load.lua", directory / "path", directory / "body"
    script.write_text(WRK_SCRIPT)
    path.write_text(spec.path)
    if spec.body is not None:
        body.write_bytes(spec.body)
    return [
        "-s",
        str(script),
        f"{parts.scheme}://{parts.netloc}/",
        "--",
        spec.method,
        str(max(spec.variants, 0)),
        str(path),
        str(body) if spec.body is not None else "",
    ]


def parse_wrk(report: str, spec: LoadSpec, *, client_cpu_s: float) -> LoadResult:
    """The figures of a ``wrk --latency`` report."""
    totals = _search(r"(\d+) requests in ([\d.]+\w+)", report)
    thread_latency = _search(r"^\s*Latency\s+(\S+)\s+\S+\s+(\S+)", report)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = sum(int(count) for count in socket_errors.groups()) if socket_errors else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return LoadResult(
        generator="wrk",
        url=spec.url,
        connections=spec.connections,
        seconds=round(_milliseconds(totals.group(2)) / 1000, 3),
        requests=int(totals.group(1)),
        errors=errors,
        requests_per_s=float(_search(r"Requests/sec:\s+([\d.]+)", report).group(1)),
        latency_p50_ms=_milliseconds(_search(r"^\s*50%\s+(\S+)", report).group(1)),
        latency_p99_ms=_milliseconds(_search(r"^\s*99%\s+(\S+)", report).group(1)),
        latency_avg_ms=_milliseconds(thread_latency.group(1)),
        latency_max_ms=_milliseconds(thread_latency.group(2)),
        client_cpu_s=round(client_cpu_s, 3),
        note="wrk -t1: one client thread; it shares the machine's CPUs with the server",
        method=spec.method,
    )


def _search(pattern: str, report: str) -> re.Match[str]:
    found = re.search(pattern, report, re.MULTILINE)
    if found is None:
        raise ValueError(f"wrk report without {pattern!r}:\n{report}")
    return found


def _milliseconds(duration: str) -> float:
    """``"13.83ms"``, ``"345.00us"``, ``"1.02s"`` or ``"10.00s"`` in milliseconds."""
    parsed = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", duration)
    if parsed is None:
        raise ValueError(f"not a wrk duration: {duration!r}")
    return round(float(parsed.group(1)) * MS_PER_UNIT[parsed.group(2)], 3)


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- the asyncio client ---------------------------------------------------------------------


@dataclass
class _Tally:
    """What the connections of one run counted."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0


@dataclass
class _Target:
    """Where to connect, and the raw requests the connections send in turn."""

    host: str
    port: int
    requests: list[bytes]
    sent: int = 0

    def next_request(self) -> bytes:
        request = self.requests[self.sent % len(self.requests)]
        self.sent += 1
        return request


def run_python(spec: LoadSpec) -> LoadResult:
    """Load ``spec.url`` with the asyncio client, in this process."""
    target = _target(spec)
    cpu_before = time.process_time()
    tally, elapsed = asyncio.run(
        _drive(target, spec.connections, spec.seconds, spec.timeout_seconds)
    )
    client_cpu = time.process_time() - cpu_before
    latencies = sorted(tally.latencies)
    count = len(latencies)
    return LoadResult(
        generator="python",
        url=spec.url,
        connections=spec.connections,
        seconds=round(elapsed, 3),
        requests=count,
        errors=tally.errors,
        requests_per_s=round(count / elapsed, 2),
        latency_p50_ms=_percentile_ms(latencies, 0.50),
        latency_p99_ms=_percentile_ms(latencies, 0.99),
        latency_avg_ms=round(sum(latencies) / count * 1000, 3) if count else 0.0,
        latency_max_ms=round(latencies[-1] * 1000, 3) if count else 0.0,
        client_cpu_s=round(client_cpu, 3),
        note=(
            "asyncio client in the pytest process (one thread, one core): it shares the "
            "machine's CPUs with the server and may be the bottleneck"
        ),
        method=spec.method,
    )


def _target(spec: LoadSpec) -> _Target:
    parts = urlsplit(spec.url)
    if parts.scheme != "http" or parts.hostname is None or parts.port is None:
        raise ValueError(f"expected http://host:port/path, got {spec.url!r}")
    requests = []
    for path, body in spec.requests():
        lines = [f"{spec.method} {path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}"]
        lines += [f"{name}: {value}" for name, value in spec.headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        requests.append(head + (body or b""))
    return _Target(host=parts.hostname, port=parts.port, requests=requests)


async def _drive(
    target: _Target, connections: int, seconds: float, timeout: float
) -> tuple[_Tally, float]:
    """Keep ``connections`` connections busy until ``seconds`` have passed."""
    tally = _Tally()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_connection(target, deadline, tally, timeout) for _ in range(connections))
    )
    return tally, time.perf_counter() - started


async def _connection(target: _Target, deadline: float, tally: _Tally, timeout: float) -> None:
    """One keep-alive connection sending request after request until the deadline."""
    try:
        reader, writer = await asyncio.open_connection(target.host, target.port)
    except OSError:
        tally.errors += 1
        return
    try:
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                async with asyncio.timeout(timeout):
                    status = await _exchange(reader, writer, target.next_request())
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                tally.errors += 1
                return  # the connection is in an unknown state
            tally.latencies.append(time.perf_counter() - sent)
            if not 200 <= status < 300:
                tally.errors += 1
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one request and read its whole response; the response's status."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status, length = _parse_head(head)
    await reader.readexactly(length)
    return status


def _parse_head(head: bytes) -> tuple[int, int]:
    """The status and Content-Length of a response head; ValueError without a length."""
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return status, int(value.strip())
    raise ValueError(f"response without Content-Length: {status_line}")


def _percentile_ms(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted seconds, in milliseconds."""
    if not ordered:
        return 0.0
    rank = max(0, math.ceil(fraction * len(ordered)) - 1)
    return round(ordered[rank] * 1000, 3)
