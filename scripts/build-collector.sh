#!/usr/bin/env bash
# Builds the Warden collector distribution from provisioning/otelcol/builder-config.yaml with
# the OpenTelemetry Collector Builder, once, and caches the binary under
# .cache/otelcol/<hash of manifest + Go version>/warden-otelcol. Prints the binary's absolute
# path on stdout (everything else goes to stderr). Safe to call concurrently (flock).
#
# Environment: WARDEN_OTELCOL_CACHE (cache dir, default <repo>/.cache/otelcol),
# GOMAXPROCS / GOFLAGS (defaults 2 / "-p=2 -buildvcs=false" for a 2-core machine).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MANIFEST="$ROOT/provisioning/otelcol/builder-config.yaml"
BUILDER_VERSION="v0.160.0"
CACHE="${WARDEN_OTELCOL_CACHE:-$ROOT/.cache/otelcol}"

command -v go >/dev/null || { echo "build-collector: Go toolchain not found (need go >= 1.25)" >&2; exit 2; }
[ -f "$MANIFEST" ] || { echo "build-collector: manifest missing: $MANIFEST" >&2; exit 2; }

KEY="$( (cat "$MANIFEST"; echo "$BUILDER_VERSION"; go env GOVERSION GOOS GOARCH) | sha256sum | cut -c1-16)"
OUT="$CACHE/$KEY"
BIN="$OUT/warden-otelcol"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi

export GOMAXPROCS="${GOMAXPROCS:-2}"
export GOFLAGS="${GOFLAGS:--p=2 -buildvcs=false}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
TOOLS="$CACHE/tools/$BUILDER_VERSION"
if [ ! -x "$TOOLS/builder" ]; then
  echo "build-collector: installing go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION" >&2
  GOBIN="$TOOLS" go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION" >&2
fi

WORK="$OUT.work"
rm -rf "$WORK"; mkdir -p "$WORK"
sed "s#^  output_path: .*#  output_path: $WORK/src#" "$MANIFEST" > "$WORK/manifest.yaml"
start=$(date +%s)
echo "build-collector: building (first build takes several minutes on 2 cores)" >&2
"$TOOLS/builder" --config "$WORK/manifest.yaml" >&2
mkdir -p "$OUT"
mv "$WORK/src/warden-otelcol" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
rm -rf "$WORK"
echo "build-collector: built in $(( $(date +%s) - start ))s: $BIN" >&2
echo "$BIN"
