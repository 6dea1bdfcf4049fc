#!/usr/bin/env bash
# What the tests need from the system, installed from Debian's packages when run as root:
# Chromium for the browser tests (Playwright must not download its own browser), poppler's
# pdftotext/pdftoppm and qpdf for the packet and letter tests, Pango and a font for WeasyPrint,
# and redis-server for the fault tests (tests/faults start a private one). `make test` and
# .ci/run call this; anything missing that cannot be installed stops here with the command.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
    exit 0
fi
echo "The tests need: ${need[*]}. Install them with 'sudo apt-get install ${need[*]}' and run make test again." >&2
exit 1
