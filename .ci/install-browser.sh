#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/test_web_browser.py), only if it is absent.
# Idempotent and quiet; Playwright's own browser download is never used.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
