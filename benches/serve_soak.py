#!/usr/bin/env python3
"""Soak test for `playbook serve`: is memory stable over minutes of edits?

Generates a playbook (../shared/bench/gen_playbook.py) on a RAM disk, starts the release
binary's `serve --port 0` on it, saves a page every 100-200 ms for N minutes (its title
and one line of its body change, so every save means a rebuild and the files stay the
same size), while a few clients fetch pages and one holds a live-reload stream. Samples
the server's resident memory (VmRSS in /proc/PID/status) and thread count every few
seconds and prints RSS at start, min, median, max and end, and its slope over the run
and over the second half (a leak shows as a slope that does not flatten).

Usage:
  cargo build --release
  nice -n 10 python3 benches/serve_soak.py --pages 1000 --minutes 10

Standard library only. Stops only the server it started, by its PID.
"""
import argparse, http.client, os, random, re, shutil, signal, socket, statistics, subprocess, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def default_binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    return os.path.join(target, "release", "playbook")


def default_generator():
    for d in (os.path.join(REPO, "..", "shared", "bench"), "/work/shared/bench"):
        p = os.path.join(d, "gen_playbook.py")
        if os.path.exists(p):
            return os.path.abspath(p)
    return None


def status_of(pid):
    """(VmRSS in kB, Threads) of a live process."""
    rss = threads = None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads


def slope(points):
    """Least-squares slope of (seconds, kB) points, in MB per minute."""
    if len(points) < 2:
        return 0.0
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    if den == 0:
        return 0.0
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 60 / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=default_binary(), help="the playbook binary (default: the release build)")
    ap.add_argument("--generator", default=default_generator(), help="gen_playbook.py")
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--clients", type=int, default=4, help="page-fetching clients")
    ap.add_argument("--sample", type=float, default=5, help="seconds between RSS samples")
    ap.add_argument("--dir", default=f"/dev/shm/playbook-soak-{os.getpid()}", help="playbook folder (replaced, removed after)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    if not os.path.exists(args.binary):
        sys.exit(f"error: no binary at {args.binary}\nhelp: run `cargo build --release` first, or pass --binary")
    if not args.generator:
        sys.exit("error: gen_playbook.py not found\nhelp: pass --generator PATH")
    subprocess.run([sys.executable, args.generator, "--pages", str(args.pages), "--out", args.dir],
                   check=True, stdout=subprocess.DEVNULL)
    files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(args.dir, "content"))
                   for f in fs if f.endswith(".md"))
    originals = {p: open(p, encoding="utf-8").read() for p in files}
    rng = random.Random(args.seed)

    server = subprocess.Popen([args.binary, "serve", "--port", "0"], cwd=args.dir,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "NO_COLOR": "1"})
    counts = {"builds": 0, "failed_builds": 0, "requests": 0, "errors": 0, "events": 0}
    lock = threading.Lock()
    url_box = []
    ready = threading.Event()
    last_build_ms = []

    def read_stdout():
        for line in server.stdout:
            if line.startswith("Serving at "):
                url_box.append(line.split()[2])
                ready.set()
            elif line.startswith("Built "):
                m = re.search(r" in (\d+) ms", line)
                with lock:
                    counts["builds"] += 1
                    if m:
                        last_build_ms.append(int(m.group(1)))

    def read_stderr():
        for line in server.stderr:
            if line.startswith("error: build failed"):
                with lock:
                    counts["failed_builds"] += 1

    threading.Thread(target=read_stdout, daemon=True).start()
    threading.Thread(target=read_stderr, daemon=True).start()
    stop = threading.Event()
    try:
        if not ready.wait(120):
            sys.exit("error: serve did not print its URL within 120 s")
        m = re.match(r"http://([^/:]+|\[[^\]]+\]):(\d+)(/.*)", url_box[0])
        host, port, base = m.group(1).strip("[]"), int(m.group(2)), m.group(3)
        pages = []
        for p in files:
            rel = os.path.relpath(p, os.path.join(args.dir, "content"))[:-3]
            pages.append(f"{base}{rel}/")

        def fetcher(seed):
            r = random.Random(seed)
            while not stop.is_set():
                path = r.choice(pages)
                try:
                    c = http.client.HTTPConnection(host, port, timeout=30)
                    c.request("GET", path)
                    resp = c.getresponse()
                    body = resp.read()
                    ok = resp.status == 200 and len(body) == int(resp.getheader("Content-Length", "-1"))
                    c.close()
                except OSError:
                    ok = False
                with lock:
                    counts["requests" if ok else "errors"] += 1
                stop.wait(0.05)

        def listener():
            # One open tab: holds a live-reload stream and counts its events.
            try:
                s = socket.create_connection((host, port), timeout=30)
                s.sendall(f"GET /__playbook/events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                s.settimeout(1)
                while not stop.is_set():
                    try:
                        data = s.recv(65536)
                    except socket.timeout:
                        continue
                    if not data:
                        break
                    with lock:
                        counts["events"] += data.count(b"\nevent: ")
                s.close()
            except OSError:
                with lock:
                    counts["errors"] += 1

        workers = [threading.Thread(target=fetcher, args=(i,), daemon=True) for i in range(args.clients)]
        workers.append(threading.Thread(target=listener, daemon=True))
        for w in workers:
            w.start()

        samples = []  # (seconds since start, rss kB, threads)
        t0 = time.monotonic()
        end = t0 + args.minutes * 60
        next_sample = t0
        edits = 0
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_sample:
                rss, threads = status_of(server.pid)
                samples.append((now - t0, rss, threads))
                next_sample += args.sample
            if server.poll() is not None:
                sys.exit(f"error: serve exited with status {server.returncode}")
            # One save: a new title and one changed line, the rest as generated.
            path = rng.choice(files)
            text = re.sub(r'^title = "(.*)"$', lambda m: f'title = "{m.group(1)} (edit {edits})"',
                          originals[path], count=1, flags=re.M)
            text += f"\nSaved as edit {edits}.\n"
            if edits % 2:
                aside = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
                with open(aside, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(aside, path)
            else:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            edits += 1
            time.sleep(rng.uniform(0.1, 0.2))
        rss, threads = status_of(server.pid)
        samples.append((time.monotonic() - t0, rss, threads))
        stop.set()
        for w in workers:
            w.join(timeout=35)
    finally:
        stop.set()
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(server.pid, signal.SIGKILL)
                server.wait()
        shutil.rmtree(args.dir, ignore_errors=True)

    rss = [s[1] for s in samples]
    mb = lambda kb: f"{kb / 1024:.1f} MB"
    half = [(t, r) for t, r, _ in samples if t >= samples[-1][0] / 2]
    threads = [s[2] for s in samples]
    print(f"serve soak: {args.pages} pages, {args.minutes:g} min, {edits} saves, "
          f"{counts['builds']} builds ({counts['failed_builds']} failed), "
          f"{counts['requests']} requests ok, {counts['errors']} errors, {counts['events']} live-reload events")
    if last_build_ms:
        print(f"build time: median {statistics.median(last_build_ms)} ms, max {max(last_build_ms)} ms")
    print(f"RSS: start {mb(rss[0])}, min {mb(min(rss))}, median {mb(statistics.median(rss))}, "
          f"max {mb(max(rss))}, end {mb(rss[-1])}; {len(rss)} samples every {args.sample:g} s")
    print(f"RSS slope: {slope([(t, r) for t, r, _ in samples]):+.2f} MB/min over the run, "
          f"{slope(half):+.2f} MB/min over the second half")
    print(f"threads: start {threads[0]}, max {max(threads)}, end {threads[-1]}")
    print("RSS trace (s, MB): " + " ".join(f"{t:.0f}:{r / 1024:.1f}" for t, r, _ in samples[:: max(1, len(samples) // 24)]))


if __name__ == "__main__":
    main()
