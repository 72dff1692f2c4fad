#!/usr/bin/env bash
# Build OpenTofu from the Go module proxy, for machines with neither terraform nor tofu.
# `go install .../cmd/tofu@vX` is refused for OpenTofu >= 1.8 (its go.mod has replace
# directives), so build from the downloaded module source instead.
# Usage: lab/build-opentofu.sh <version, e.g. v1.10.6> <output binary>
set -euo pipefail
version=$1 out=$2
src=$(go mod download -json "github.com/opentofu/opentofu@$version" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$src/." "$work" && chmod -R u+w "$work"
mkdir -p "$(dirname "$out")"
(cd "$work" && go build -o "$out" -ldflags "-X 'github.com/opentofu/opentofu/version.dev=no'" ./cmd/tofu)
"$out" version | head -1
