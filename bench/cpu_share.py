"""How much CPU the other processes of the machine used while a benchmark ran (Linux /proc).

The benchmarks do not wait for a quiet machine (on a shared machine that can mean waiting
for ever): they run at once and print, beside each figure, the CPUs that everything else
used meanwhile, so a reader can tell a figure taken on a busy machine.

Others = the machine's busy CPU time (/proc/stat: user, nice, system, irq, softirq; idle,
iowait and steal are not busy here) minus this process's own: itself, its reaped children
(os.times) and its live descendants (/proc/PID/stat, their reaped children included), e.g.
the solver's fork server and searches. Both are counted in clock ticks (10 ms), so a figure
over a few seconds is good to about ±0.01 CPU.
"""

import os
import time

TICK = os.sysconf("SC_CLK_TCK")
QUIET = 0.1  # CPUs others may use before a figure is marked disturbed (daemons: about 0.02)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (all CPUs added up)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]  # the "cpu" line: all CPUs
    user, nice, system, _idle, _iowait, irq, softirq = fields[:7]  # guest is within user
    return (user + nice + system + irq + softirq) / TICK


def own_seconds() -> float:
    """CPU seconds used by this process and every descendant, alive or reaped."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    stats = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # ppid, then utime, stime, cutime, cstime
        stats[int(pid)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    ours, new = {os.getpid()}, {os.getpid()}
    while new:
        new = {pid for pid, (ppid, _) in stats.items() if ppid in new} - ours
        ours |= new
    ours.discard(os.getpid())  # counted by os.times above
    return total + sum(stats[pid][1] for pid in ours) / TICK


class OthersMeter:
    """Started when made; `cpus()` is how many CPUs the other processes used, on average,
    since then (0.5 = half a CPU busy all along)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.busy = machine_busy_seconds()
        self.own = own_seconds()

    def cpu_seconds(self) -> float:
        """CPU seconds the others used since the start."""
        others = (machine_busy_seconds() - self.busy) - (own_seconds() - self.own)
        return max(0.0, others)  # tick rounding can make an idle machine a hair negative

    def cpus(self) -> float:
        wall = time.monotonic() - self.started
        return self.cpu_seconds() / wall if wall > 0 else 0.0


if __name__ == "__main__":
    # A look at the machine now: python bench/cpu_share.py [seconds]
    import sys

    meter = OthersMeter()
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
    print(f"other processes: {meter.cpus():.2f} CPU of {os.cpu_count()}")
