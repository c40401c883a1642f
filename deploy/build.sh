#!/usr/bin/env bash
# Builds the Lambda function: cmd/ticketsum-lambda as "bootstrap" for the
# provided.al2023 runtime on arm64 (Graviton), statically linked
# (CGO_ENABLED=0), zipped into deploy/dist/ticketsum-lambda.zip, the path
# template.yaml's Code points at. Usage: deploy/build.sh [output.zip]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/deploy/dist/ticketsum-lambda.zip}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
# lambda.norpc drops the legacy Go 1.x RPC mode that provided.al2023 never uses.
CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -tags lambda.norpc \
	-ldflags='-s -w -buildid=' -o "$work/bootstrap" ./cmd/ticketsum-lambda
chmod 0755 "$work/bootstrap"
touch -t 198001010000 "$work/bootstrap" # a fixed time keeps the zip reproducible

# The RDS certificate bundle, when present beside this script, ships in the
# zip as /var/task/rds-global-bundle.pem for sslmode=verify-full (see
# docs/aws.md); RDS certificates do not chain to a public root.
files=(bootstrap)
if [ -f "$root/deploy/rds-global-bundle.pem" ]; then
	cp "$root/deploy/rds-global-bundle.pem" "$work/"
	touch -t 198001010000 "$work/rds-global-bundle.pem"
	files+=(rds-global-bundle.pem)
fi

mkdir -p "$(dirname "$out")"
rm -f "$out"
if command -v zip >/dev/null; then
	(cd "$work" && zip -q -X "$out" "${files[@]}")
else
	(cd "$work" && python3 - "$out" "${files[@]}" <<'PY'
import sys, zipfile
dst, names = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(dst, "w") as z:
    for name in names:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = (0o100755 if name == "bootstrap" else 0o100644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(name, "rb") as f:
            z.writestr(info, f.read())
PY
	)
fi
echo "built $out ($(du -h "$out" | cut -f1))"
