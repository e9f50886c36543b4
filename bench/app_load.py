"""Load time of the app's pages on an emulated slow 4G connection, and a screenshot of each.

    python bench/app_load.py [--elders 2000] [--port 0] [--data-dir DIR] [--runs 3]

Seeds a demo district (`kangyang demo --no-serve --elders N`) into a fresh SQLite database in
a temporary KANGYANG_DATA_DIR (or --data-dir, reused when it holds one), starts
`kangyang serve` on 127.0.0.1 as a subprocess (stopped at the end), and opens each page of
e2e/app_pages.py (PAGES) in Chromium (Playwright, /usr/bin/chromium) as its demo account at a
360 × 740 phone viewport, through the DevTools protocol's Network.emulateNetworkConditions:

  slow 4G     150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up: Lighthouse's mobile
              throttling figures (its "simulated" throttling);
  slow 4G-dt  562.5 ms, 1.4745 Mbit/s down, 675 kbit/s up: the same figures as Lighthouse applies
              them per request in DevTools throttling (latency × 3.75, throughput × 0.9),
              which is also what this harness does: the stricter reading.

For each page, --runs times: a cold load (a fresh browser context holding only the session
cookie: empty cache, no open connection) and then a warm one in the same context (the static
files cached by the cold load, the connection open); prints the median time
from navigation start to the load event and the bytes transferred (encoded, headers
included, from Network.loadingFinished), against the target of 2 s. Then, unthrottled, saves
what the phone's screen shows of the page (360 × 740) to var/screenshots/app-<name>.png.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from e2e.app_pages import PAGES, phone_context, sign_in  # noqa: E402

CHROMIUM = os.getenv("KANGYANG_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
TARGET_S = 2.0
PROFILES = {
    # name: (latency ms, download bytes/s, upload bytes/s)
    "slow 4G": (150, 1_600_000 / 8, 750_000 / 8),
    "slow 4G-dt": (562.5, 1_474_500 / 8, 675_000 / 8),
}
SCREENSHOTS = ROOT / "var" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(env: dict, elders: int) -> None:
    started = time.monotonic()
    print(f"seeding a demo district of {elders} elders into {env['KANGYANG_DATA_DIR']} …", flush=True)
    subprocess.run([sys.executable, "-m", "kangyang", "demo", "--no-serve", "--elders", str(elders)],
                   env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "kangyang", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kangyang serve stopped with exit code {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("kangyang serve did not answer within 60 s")


def load(tab, cdp, url: str) -> tuple[float, int]:
    """(seconds from navigation start to the load event, bytes over the wire) of one load."""
    received = []
    handler = lambda event: received.append(event.get("encodedDataLength", 0))  # noqa: E731
    cdp.on("Network.loadingFinished", handler)
    tab.goto(url, wait_until="load")
    timing = tab.evaluate("""() => { const n = performance.getEntriesByType("navigation")[0];
                                     return n.loadEventEnd - n.startTime; }""")
    tab.wait_for_timeout(200)  # the last loadingFinished events of the load
    cdp.remove_listener("Network.loadingFinished", handler)
    return timing / 1000, int(sum(received))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elders", type=int, default=2000)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--data-dir", help="reuse this data dir (seeded when it has no database)")
    parser.add_argument("--runs", type=int, default=3, help="loads per page, cache state and profile")
    parser.add_argument("--only", help="only the pages whose name (app-<name>.png) contains this")
    parser.add_argument("--full-page", action="store_true", help="also save each whole page (app-<name>-full.png)")
    args = parser.parse_args()

    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="kangyang-app-load-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the data dir's own SQLite
    env["KANGYANG_DATA_DIR"] = str(data_dir)
    if not any(data_dir.glob("*.sqlite3")):
        seed(env, args.elders)
    port = args.port or free_port()
    server = serve(env, port)
    base = f"http://127.0.0.1:{port}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            for page in [p for p in PAGES if not args.only or args.only in p.name]:
                # Sign in once at full speed (not measured); each cold load then starts in a fresh
                # browser context holding only the session cookie: an empty cache and no open
                # connection, as a phone that opens the app after a while. The warm load follows
                # in the same context.
                signing = phone_context(browser)
                tab = signing.new_page()
                sign_in(tab, base, page.account)
                url = page.url(tab, base)
                session = signing.storage_state()
                signing.close()
                for profile, (latency, down, up) in PROFILES.items():
                    loads = {"cold": [], "warm": []}
                    for _run in range(args.runs):
                        context = phone_context(browser, storage_state=session)
                        tab = context.new_page()
                        tab.set_default_timeout(60_000)
                        cdp = context.new_cdp_session(tab)
                        cdp.send("Network.enable")
                        cdp.send("Network.emulateNetworkConditions", {
                            "offline": False, "latency": latency, "downloadThroughput": down, "uploadThroughput": up})
                        loads["cold"].append(load(tab, cdp, url))
                        loads["warm"].append(load(tab, cdp, url))
                        context.close()
                    for cache, results in loads.items():
                        seconds = statistics.median(r[0] for r in results)
                        kilobytes = statistics.median(r[1] for r in results) / 1024
                        rows.append((page, profile, cache, seconds, kilobytes))
                        print(f"{page.name:<40} {page.account or 'signed out':<10} {profile:<10} {cache}  "
                              f"{seconds:5.2f} s  {kilobytes:7.1f} KiB  {'ok' if seconds <= TARGET_S else 'OVER'}",
                              flush=True)
                context = phone_context(browser, storage_state=session)
                tab = context.new_page()
                tab.goto(url, wait_until="load")
                tab.screenshot(path=str(SCREENSHOTS / f"app-{page.name}.png"))
                if args.full_page:
                    tab.screenshot(path=str(SCREENSHOTS / f"app-{page.name}-full.png"), full_page=True)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(f"\nTarget: every page loads in ≤ {TARGET_S:.0f} s (navigation start → load event) on slow 4G.")
    print(f"{'page':<18} {'account':<10} {'profile':<10} {'cache':<5} {'load':>7} {'bytes':>11}")
    for page, profile, cache, seconds, kilobytes in rows:
        print(f"{page.name:<40} {page.account or 'signed out':<10} {profile:<10} {cache:<5} {seconds:6.2f}s "
              f"{kilobytes:8.1f} KiB {'ok' if seconds <= TARGET_S else 'OVER'}")
    over = [r for r in rows if r[3] > TARGET_S]
    print(f"\n{len(rows) - len(over)} of {len(rows)} loads within {TARGET_S:.0f} s; screenshots in {SCREENSHOTS}/")


if __name__ == "__main__":
    main()
