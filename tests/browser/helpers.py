"""What every browser journey does: sign in through the real pages, with the MFA code if needed,
and check each main page it reaches for accessibility (WCAG 2.2 AA), saving a screenshot."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache

from ..conftest import current_code
from ..factories import PASSWORD

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# The axe-core rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 adds no level-A rule).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
# WCAG 1.4.10 (reflow): content fits 320 CSS px without scrolling sideways. A 1280 px window at
# 200% zoom lays pages out at 640 CSS px, so a 640 px viewport checks the zoom criterion (1.4.4).
REFLOW_VIEWPORTS = {
    "320 px wide": {"width": 320, "height": 800},
    "200% zoom": {"width": 640, "height": 400},
}
REFLOW_TOLERANCE = 1  # px: sub-pixel rounding of borders


def sign_in(page, base: str, user, *, mfa: bool = False, lands: str = "/") -> None:
    """Sign `user` in at `base`; with `mfa`, type the authenticator code; wait for the landing page."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if mfa:
        # allauth accepts each TOTP code once: forget codes used by earlier sign-ins in the same test.
        cache.clear()
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
        page.locator("input[name=code]").fill(current_code())
        page.get_by_role("button", name="Sign in").click()
    if lands:
        page.wait_for_url(base + lands)


def sign_out(page, base: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(base + "/")


def check_page(page, name: str, shots_dir: Path, *, readme: str = "") -> None:
    """Check the page as it is now and save a full-page screenshot as `shots_dir/name.png`.

    Fails the test, listing every problem, if axe-core finds a serious or critical violation of
    WCAG 2.2 A or AA (at the test's window size, at 320 px and at 200% zoom), or if the page scrolls
    sideways at 320 px or at 200% zoom. With `readme`, and SCREENSHOT_DIR set, also saves a
    compressed copy as `$SCREENSHOT_DIR/<readme>.png` (how the README's screenshots are made).
    """
    problems = axe_violations(page)
    original = page.viewport_size
    try:
        for label, viewport in REFLOW_VIEWPORTS.items():
            page.set_viewport_size(viewport)
            problems += overflow(page, label, viewport["width"])
            problems += [f"{p} (at {label})" for p in axe_violations(page) if p not in problems]
    finally:
        if original:  # None for a context made with no_viewport
            page.set_viewport_size(original)
    page.screenshot(path=Path(shots_dir) / f"{name}.png", full_page=True)
    if readme and os.environ.get("SCREENSHOT_DIR"):
        save_for_readme(page, Path(os.environ["SCREENSHOT_DIR"]) / f"{readme}.png")
    if problems:
        pytest.fail(
            f"{name} ({page.url}) is not accessible:\n" + "\n".join(problems), pytrace=False
        )


def axe_violations(page) -> list[str]:
    """Serious and critical WCAG A/AA violations that axe-core finds, one line per element."""
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{AXE} is missing; run `make browser-deps` (npm ci installs axe-core)")
        pytest.skip("axe-core is not installed (make browser-deps installs it)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Not page.add_script_tag: the site's CSP (script nonces) refuses inline scripts, and
        # bypassing it would hide the CSP's own effects. Playwright's evaluate is not subject to it.
        page.evaluate(AXE.read_text() + "\n;undefined")
    violations = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                        resultTypes: ['violations']})
                      .then(results => results.violations)""",
        WCAG_TAGS,
    )
    return [
        f"  axe {v['id']} ({v['impact']}): {node['target']} - {v['help']} ({v['helpUrl']})"
        for v in violations
        if v["impact"] in FAILING_IMPACTS
        for node in v["nodes"]
        if not accepted(v, node)
    ]


def accepted(violation: dict, node: dict) -> bool:
    """The one violation we accept: NHS.UK frontend's script sets aria-expanded on a radio that
    reveals a conditional question. ARIA 1.2 does not allow it on radios, but the design systems
    keep it on purpose, as screen readers announce it (alphagov/govuk-frontend issue 979)."""
    if violation["id"] != "aria-allowed-attr" or "nhsuk-radios__input" not in node["html"]:
        return False
    attributes = [
        value
        for check in node["any"] + node["all"] + node["none"]
        for value in (check.get("data") or {}).get("values", [])
    ]
    return bool(attributes) and all(a.startswith("aria-expanded=") for a in attributes)


OVERFLOW_JS = """({width, tolerance}) => new Promise(done => requestAnimationFrame(() =>
  requestAnimationFrame(() => {
    const scrollWidth = document.documentElement.scrollWidth;
    const wide = [];
    if (scrollWidth > width + tolerance) {
        for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > width + 1 && !wide.some(outer => outer.contains(el)))
                wide.push(el);
        }
    }
    const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + [...el.classList].map(c => '.' + c).join('')
        + ' "' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
    done({scrollWidth, wide: wide.slice(0, 5).map(describe)});
})))"""


def overflow(page, label: str, width: int) -> list[str]:
    """Whether the page scrolls sideways in a viewport `width` CSS px wide, naming what is too wide.
    Two animation frames first, so that scripts listening for the resize have run."""
    found = page.evaluate(OVERFLOW_JS, {"width": width, "tolerance": REFLOW_TOLERANCE})
    if found["scrollWidth"] <= width + REFLOW_TOLERANCE:
        return []
    return [
        f"  reflow at {label}: the page is {found['scrollWidth']} px wide;"
        f" too wide: {', '.join(found['wide'])}"
    ]


def save_for_readme(page, path: Path) -> None:
    """A screenshot small enough for the repository: the top of the page, in 256 colours."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    with Image.open(path) as image:
        image.load()
    image = image.crop((0, 0, image.width, min(image.height, 1400)))
    image.convert("RGB").quantize(colors=128, dither=Image.Dither.NONE).save(path, optimize=True)
