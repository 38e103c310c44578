#!/usr/bin/env bash
# Installs the Debian packages the app needs, if they are missing and apt-get can be used.
#   weasyprint: Pango and HarfBuzz for PDF rendering (see shared notes on the stack)
#   browser:    Debian's Chromium for the Playwright browser tests, poppler-utils for reading PDFs,
#               and npm, which installs axe-core for their accessibility checks (see the Makefile)
set -euo pipefail
want=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
case "${1:-}" in
  weasyprint)
    have_lib libpango-1.0.so.0 || want+=(libpango-1.0-0)
    have_lib libpangoft2-1.0.so.0 || want+=(libpangoft2-1.0-0)
    have_lib libharfbuzz-subset.so.0 || want+=(libharfbuzz-subset0)
    fc-list 2>/dev/null | grep -qi dejavu || want+=(fonts-dejavu-core)
    ;;
  browser)
    command -v chromium >/dev/null || want+=(chromium)
    command -v pdftotext >/dev/null || want+=(poppler-utils)
    command -v npm >/dev/null || want+=(npm)
    ;;
  *) echo "usage: $0 weasyprint|browser" >&2; exit 2 ;;
esac
[ ${#want[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Missing system packages (${want[*]}); install them with your package manager." >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${want[*]} with apt-get ..."
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
