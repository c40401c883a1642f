#!/usr/bin/env bash
# vendor-echarts.sh puts Apache ECharts into chart/assets, where the binary
# embeds it: pages load it from ticketsum itself and exported reports inline
# it, so no chart ever loads from a CDN. Run it to change the version; the
# result is committed, so builds and tests need no network.
#
# Usage: scripts/vendor-echarts.sh [VERSION]   (default: the version below)
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-6.1.0}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "echarts@$version" >/dev/null && tar xzf "echarts-$version.tgz")
# The full build: the smaller "common" one lacks the label layout that
# keeps the labels of neighbouring points apart.
cp "$tmp/package/dist/echarts.min.js" chart/assets/echarts.min.js
cp "$tmp/package/LICENSE" chart/assets/LICENSE-echarts
cp "$tmp/package/NOTICE" chart/assets/NOTICE-echarts 2>/dev/null || true
echo "$version" > chart/assets/ECHARTS_VERSION
echo "vendored echarts $version into chart/assets ($(wc -c < chart/assets/echarts.min.js) bytes)"
