#!/usr/bin/env bash
# `make install` into a temporary prefix, then what an operator would do first: the installed
# binary's version, its man page and completions, the systemd unit pointing at it, and the demo
# pipeline run end to end by the installed binary in an empty folder.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$prefix" "$work"' EXIT
make install PREFIX="$prefix" >/dev/null
"$prefix/bin/phasecast" --version
for file in share/man/man1/phasecast.1 share/man/man1/phasecast.run.1 share/bash-completion/completions/phasecast \
  share/zsh/site-functions/_phasecast share/fish/vendor_completions.d/phasecast.fish \
  lib/systemd/system/phasecast-nightly.service lib/systemd/system/phasecast-nightly.timer \
  share/phasecast/pipelines/nightly.toml share/phasecast/examples/cronjob.yaml; do
  [ -s "$prefix/$file" ] || { echo "make install did not install $file"; exit 1; }
done
grep -q "ExecStart=$prefix/bin/phasecast run" "$prefix/lib/systemd/system/phasecast-nightly.service" \
  || { echo "the installed service does not run the installed binary"; exit 1; }
if command -v man >/dev/null 2>&1; then MANPATH="$prefix/share/man" man -P cat phasecast.run >/dev/null 2>&1 \
  || { echo "man cannot read the installed page"; exit 1; }; fi
# The demo, by the installed binary alone (its pipelines and schema are built in).
status=0
(cd "$work" && "$prefix/bin/phasecast" run demo --quiet) || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 65 ]; then echo "the installed binary's demo exited $status"; exit 1; fi
ls "$work"/Reports/demo/*/capacity.md >/dev/null
echo "install: ok ($prefix; demo exit $status, report written)"
