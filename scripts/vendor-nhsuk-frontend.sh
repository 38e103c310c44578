#!/usr/bin/env bash
# Copies the compiled nhsuk-frontend build into static/vendor/nhsuk-frontend/.
# We serve the package's own CSS and JS (no Sass build); the gotchas:
#  - the CSS points at root-relative url(/assets/...), which ManifestStaticFilesStorage leaves alone
#    and which then 404; we rewrite them to url(assets/...) beside the CSS so collectstatic hashes them;
#  - the CSS loads Frutiger from an NHS host that this service's CSP (font-src 'self') refuses,
#    so those @font-face rules are removed and the stack falls back to Arial;
#  - the .map files must be copied too, or collectstatic fails.
# Usage: scripts/vendor-nhsuk-frontend.sh [VERSION]
set -euo pipefail
version="${1:-10.6.1}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/static/vendor/nhsuk-frontend"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --silent --no-audit --no-fund "nhsuk-frontend@$version" >/dev/null)
src="$tmp/node_modules/nhsuk-frontend/dist/nhsuk"
rm -rf "$dest"
mkdir -p "$dest/assets"
cp -r "$src/assets/images" "$dest/assets/"
cp "$src/nhsuk-frontend.min.js" "$src/nhsuk-frontend.min.js.map" "$src/nhsuk-frontend.min.css.map" "$dest/"
python3 - "$src/nhsuk-frontend.min.css" "$dest/nhsuk-frontend.min.css" <<'PY'
import re, sys
css = open(sys.argv[1], encoding="utf-8").read()
css = css.replace("url(/assets/", "url(assets/")
css = re.sub(r"@font-face\{[^}]*assets\.nhs\.uk[^}]*\}", "", css)
assert "assets.nhs.uk" not in css, "a remote font is still referenced"
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY
echo "$version" > "$dest/VERSION"
echo "nhsuk-frontend $version copied to $dest"
