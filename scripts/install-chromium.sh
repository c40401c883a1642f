#!/bin/sh
# install-chromium.sh installs Debian's chromium package, which the browser
# test in web/ drives through chromedp. It does nothing when /usr/bin/chromium
# already exists. Run it as root (or through sudo) on Debian or Ubuntu.
set -eu

if [ -x /usr/bin/chromium ]; then
	echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-chromium.sh: must run as root (or have sudo) to install chromium" >&2
		exit 1
	fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-chromium.sh: apt-get not found; install Debian's chromium package by hand so that /usr/bin/chromium exists" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium

if [ ! -x /usr/bin/chromium ]; then
	echo "install-chromium.sh: chromium installed but /usr/bin/chromium is missing" >&2
	exit 1
fi
echo "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
