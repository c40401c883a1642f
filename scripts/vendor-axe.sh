#!/usr/bin/env bash
# vendor-axe.sh puts axe-core (npm, MPL-2.0) into web/testdata/axe, where
# the browser accessibility test injects it into the pages it checks. It is
# test data only: nothing embeds it and the binary never ships it. The
# result is committed, so tests need no network; the script does nothing
# when the wanted version is already there.
#
# Usage: scripts/vendor-axe.sh [VERSION]   (default: the version below)
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-4.14.1}"
dir=web/testdata/axe
if [ -f "$dir/axe.min.js" ] && [ "$(cat "$dir/AXE_VERSION" 2>/dev/null)" = "$version" ]; then
	echo "axe-core $version already vendored in $dir"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf "axe-core-$version.tgz")
mkdir -p "$dir"
cp "$tmp/package/axe.min.js" "$dir/axe.min.js"
cp "$tmp/package/LICENSE" "$dir/LICENSE"
echo "$version" > "$dir/AXE_VERSION"
cat > "$dir/README.md" <<README
axe-core $version (https://github.com/dequelabs/axe-core), Copyright (c) Deque Systems, Inc.,
licensed under the Mozilla Public License 2.0 (LICENSE beside this file). Unmodified axe.min.js
from the npm package, vendored by scripts/vendor-axe.sh for web's browser accessibility test only;
it is not part of the ticketsum binary.
README
echo "vendored axe-core $version into $dir ($(wc -c < "$dir/axe.min.js") bytes)"
