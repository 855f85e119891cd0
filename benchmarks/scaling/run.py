"""Running ``wiretrace trace``: sampling the memory (RSS and PSS) of its process
tree, stopping it on a timeout or when memory runs low, and timing its stages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from .common import KIB, MEMORY_FLOOR, ROOT, SAMPLE_SECONDS, available_memory, total_memory


def _proc_children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _proc_memory(pid: int) -> tuple[int, int | None] | None:
    """(RSS, PSS) of a process in bytes from /proc (PSS None where unreadable), or
    None when the process is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            values = {}
            for line in fh:
                name, _, rest = line.partition(":")
                if name in ("Rss", "Pss"):
                    values[name] = int(rest.split()[0]) * KIB
            if "Rss" in values:
                return values["Rss"], values.get("Pss")
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"), None
    except (OSError, ValueError, IndexError):
        return None


def tree_memory(root: int) -> tuple[int, int | None, int] | None:
    """(total RSS, total PSS, processes) of ``root`` and its descendants, or None
    when neither /proc nor psutil can tell."""
    if os.path.isdir("/proc/self"):
        children = _proc_children()
        todo, pids = [root], []
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += children.get(pid, [])
        rss = pss = count = 0
        pss_known = True
        for pid in pids:
            got = _proc_memory(pid)
            if got is None:  # exited between the listing and the reading
                continue
            rss += got[0]
            count += 1
            if got[1] is None:
                pss_known = False
            else:
                pss += got[1]
        return rss, (pss if pss_known else None), count
    try:
        import psutil  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        proc = psutil.Process(root)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return None
    rss = 0
    for p in procs:
        try:
            rss += p.memory_info().rss
        except psutil.Error:
            pass
    return rss, None, len(procs)


# --------------------------------------------------------------------------- one run

def run_trace(command: list[str], timeout: float, stages: bool) -> dict:
    """Run the command (cwd: the project root) in a session of its own; wall time,
    ru_maxrss of the process and its reaped descendants, sampled tree memory."""
    total = total_memory()
    floor = max(MEMORY_FLOOR, int(0.03 * total)) if total else MEMORY_FLOOR
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    stderr_lines: list[tuple[float, str]] = []
    stdout_chunks: list[bytes] = []
    ended: dict = {}
    done = threading.Event()

    def drain_stderr() -> None:
        for raw in proc.stderr:
            stderr_lines.append((time.perf_counter() - started,
                                 raw.decode("utf-8", "replace").rstrip()))

    def drain_stdout() -> None:
        stdout_chunks.append(proc.stdout.read())

    def wait() -> None:  # reaps the process the moment it exits: an exact wall time
        _, ended["status"], ended["usage"] = os.wait4(proc.pid, 0)
        ended["at"] = time.perf_counter()
        done.set()

    threads = [threading.Thread(target=f, daemon=True) for f in (drain_stderr, drain_stdout)]
    waiter = threading.Thread(target=wait, daemon=True)
    for thread in (*threads, waiter):
        thread.start()
    samples: list[tuple[float, int, int | None, int]] = []
    try:
        stopped = _watch(proc.pid, done, started, timeout, floor, samples)
    except BaseException:  # Ctrl-C: the run is in a session of its own, stop it too
        _stop(proc.pid, done)
        raise
    waiter.join()
    seconds = ended["at"] - started
    proc.returncode = os.waitstatus_to_exitcode(ended["status"])
    try:  # workers of a stopped run may linger a moment: make sure the group is gone
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for thread in threads:
        thread.join(timeout=10)
    usage = ended["usage"]
    # ru_maxrss is in KiB on Linux, in bytes on macOS
    max_rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else KIB)
    return {
        "returncode": proc.returncode, "stopped": stopped, "seconds": round(seconds, 2),
        "max_rss": max_rss, "tree_rss": max((x[1] for x in samples), default=None),
        "tree_pss": max((x[2] for x in samples if x[2] is not None), default=None),
        "max_processes": max((x[3] for x in samples), default=1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "samples": samples, "stderr": stderr_lines,
        "stdout": b"".join(stdout_chunks).decode("utf-8", "replace"),
        "stages": stage_times(stderr_lines, samples, seconds) if stages else None,
    }


def _watch(pid: int, done: threading.Event, started: float, timeout: float, floor: int,
           samples: list) -> str | None:
    """Sample the tree's memory until the run ends; stop it (and say why) when it
    runs past ``timeout`` or available memory falls under ``floor``."""
    while not done.wait(SAMPLE_SECONDS):
        now = time.perf_counter() - started
        tree = tree_memory(pid)
        if tree is not None and tree[2]:  # (rss, pss or None, processes)
            samples.append((round(now, 2), *tree))
        available = available_memory()
        stopped = "memory" if available is not None and available < floor else \
            "timeout" if now > timeout else None
        if stopped:
            _stop(pid, done)
            return stopped
    return None


def _stop(pid: int, done: threading.Event) -> None:
    """SIGTERM to the run's process group, SIGKILL if it has not exited in 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        if done.wait(10):
            return


def stage_times(lines: list[tuple[float, str]], samples: list, seconds: float) -> list[dict]:
    """Stages from the progress lines (``wiretrace: STAGE: ...``, a line when a stage
    starts reporting and one when it is done): a stage runs from the previous stage's
    last line to its own last line; ``quiet`` is the part before its first line (work
    that reports nothing: the stories are built before diff's first line).  With the
    peak tree memory sampled meanwhile; ``exit`` is after the last line."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for at, line in lines:
        parts = line.split(": ")
        if len(parts) >= 3 and parts[0] == "wiretrace":
            first.setdefault(parts[1], at)
            last[parts[1]] = at
    names = sorted(first, key=first.get)
    out = []
    begin = 0.0
    for name, end in [*((name, last[name]) for name in names), ("exit", seconds)]:
        inside = [s for s in samples if begin <= s[0] <= end]
        out.append({"stage": name, "start": round(begin, 1), "seconds": round(end - begin, 1),
                    "quiet": round(first.get(name, end) - begin, 1),
                    "peak_rss": max((s[1] for s in inside), default=None),
                    "peak_pss": max((s[2] or 0 for s in inside), default=None) or None})
        begin = end
    return out
