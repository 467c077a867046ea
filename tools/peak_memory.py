"""Run a command and report its wall time and the peak memory of its whole process tree.

``/usr/bin/time -v`` reports the largest single process; a build with worker processes needs the
sum over the tree, sampled from /proc (Linux). Usage::

    python tools/peak_memory.py -- .venv/bin/synth world build --seed 1 --workers 2 --out /tmp/kerala
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def _tree_rss_kib(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            status = (proc / "status").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(proc.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(proc.name)] = int(line.split()[1])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def main() -> int:
    argv = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else sys.argv[1:]
    start = time.monotonic()
    proc = subprocess.Popen(argv)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kib(proc.pid))
        time.sleep(0.2)
    wall = time.monotonic() - start
    print(f"wall {wall:.1f} s, peak tree RSS {peak / 1024 / 1024:.2f} GiB, exit {proc.returncode}", file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
