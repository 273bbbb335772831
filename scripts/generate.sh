#!/usr/bin/env bash
# scripts/generate.sh — regenerate the protobuf and grain code of actors/ at
# pinned tool versions. Called by `make generate`; actors/actorpb's test runs
# it into a temporary folder and fails when the committed code differs.
#
#   scripts/generate.sh            write generated code beside the .proto files
#   scripts/generate.sh OUT_DIR    write it into OUT_DIR instead (for the check)
#
# protoc comes from Debian's protobuf-compiler (the bootstrap installs it); its
# version only appears in a header comment, which the check ignores. The two
# plugins are Go programs installed at the versions below into bin/tools.
set -Eeuo pipefail

readonly PROTOC_GEN_GO_VERSION=v1.36.12
# protoactor-go publishes no tags: this is the commit go.mod pins.
readonly PROTOC_GEN_GO_GRAIN_VERSION=v0.0.0-20240822202345-3c0e61ca19c9

ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT_DIR/bin/tools"
OUT=${1:-}
export PATH="$TOOLS:$PATH:/usr/local/go/bin"

command -v protoc >/dev/null || {
	echo "generate: protoc is not installed: run 'make bootstrap' or apt-get install protobuf-compiler" >&2
	exit 1
}

install_tool() { # name module version
	local stamp="$TOOLS/.$1-$3"
	[[ -x $TOOLS/$1 && -f $stamp ]] && return
	mkdir -p "$TOOLS"
	GOBIN="$TOOLS" GOFLAGS=-mod=mod go install "$2@$3"
	rm -f "$TOOLS/.$1-"*
	touch "$stamp"
}
install_tool protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go "$PROTOC_GEN_GO_VERSION"
install_tool protoc-gen-go-grain github.com/asynkron/protoactor-go/protobuf/protoc-gen-go-grain "$PROTOC_GEN_GO_GRAIN_VERSION"

cd "$ROOT_DIR"
for dir in actors/actorpb; do
	dest="$dir"
	if [[ -n $OUT ]]; then
		dest="$OUT/$dir"
		mkdir -p "$dest"
	fi
	protoc -I "$dir" \
		--go_out="$dest" --go_opt=paths=source_relative \
		--go-grain_out="$dest" --go-grain_opt=paths=source_relative \
		"$dir"/*.proto
done
