#!/usr/bin/env bash
# Debian's chromium and the Noto CJK fonts, so that browser tests render Chinese; pango for
# WeasyPrint (the PDF bulletin) and poppler-utils (pdftotext/pdftoppm: the bulletin's tests).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0)
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || need+=(libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "installing ${need[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
