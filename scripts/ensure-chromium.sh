#!/usr/bin/env bash
# The browser test of `eventx report` drives Debian's Chromium with Playwright (never a
# downloaded browser). Install it when it is missing and we may: as root, or with sudo.
# Without it the browser test skips, unless EVENTX_REQUIRE_BROWSER=1 (CI) makes it fail.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
command -v apt-get >/dev/null 2>&1 || { echo "chromium missing and no apt-get: browser test will skip" >&2; exit 0; }
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "chromium missing and not root: browser test will skip" >&2; exit 0
fi
echo "installing Debian's chromium for the browser test..." >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
    echo "could not install chromium: browser test will skip" >&2
exit 0
