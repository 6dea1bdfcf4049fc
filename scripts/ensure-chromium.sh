#!/usr/bin/env bash
# Browser tests need Debian's Chromium (Playwright must not download its own browser).
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium && exit 0
fi
echo "Chromium is missing: install it with 'sudo apt-get install chromium' and run make test again." >&2
exit 1
