"""Screenshots of the demo programme's public website, as a visitor sees it, for the docs.

    .venv/bin/python scripts/public_screenshots.py [OUT_DIR]   (default docs/screenshots)

Loads the demo into a throwaway SQLite database, serves it on 127.0.0.1 and saves the top of each
public page (1,400 px, 128 colours, like the browser tests' README screenshots) as
public-<page>.png. Needs Chromium (`make browser-deps`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
PAGES = {
    "home": "/",
    "how-to-apply": "/apply-for-the-fellowship/",
    "interest": "/interest/",
    "for-supervisors": "/for-supervisors/",
    "fellows": "/fellows/",
    "projects": "/projects/",
    "accessibility": "/accessibility/",
}
WIDTH, HEIGHT, KEEP = 1100, 900, 1400


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "MEDIA_ROOT": f"{tmp}/media",
        }
        manage = [str(PYTHON), str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/robots.txt", timeout=1)  # noqa: S310 (our server)
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base, out)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


def shoot(base: str, out: Path) -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        for name, path in PAGES.items():
            response = page.goto(base + path)
            if response is None or response.status != 200:
                raise SystemExit(f"{path} answered {response and response.status}")
            target = out / f"public-{name}.png"
            page.screenshot(path=target, full_page=True)
            with Image.open(target) as image:
                image.load()
            image = image.crop((0, 0, image.width, min(image.height, KEEP)))
            image.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE).save(
                target, optimize=True
            )
            print(target)
        browser.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
