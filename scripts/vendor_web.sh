#!/usr/bin/env bash
# Refresh the front-end libraries committed under src/armstrack/web/static/vendor/ from the npm registry.
# Run by a developer when upgrading them (edit the versions below), never at install or test time:
# a fresh clone serves the committed files and needs neither npm nor the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
VIS_TIMELINE=8.5.4
VIS_NETWORK=10.1.5
OUT=src/armstrack/web/static/vendor
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
(cd "$BUILD" && npm pack --silent "vis-timeline@$VIS_TIMELINE" "vis-network@$VIS_NETWORK" >/dev/null)
for pkg in "vis-timeline-$VIS_TIMELINE" "vis-network-$VIS_NETWORK"; do
  mkdir -p "$BUILD/$pkg" && tar -xzf "$BUILD/$pkg.tgz" -C "$BUILD/$pkg"
done
mkdir -p "$OUT"
# The "standalone" builds bundle vis-data and moment, so each library is one script and one stylesheet.
cp "$BUILD/vis-timeline-$VIS_TIMELINE/package/standalone/umd/vis-timeline-graph2d.min.js" "$OUT/"
cp "$BUILD/vis-timeline-$VIS_TIMELINE/package/styles/vis-timeline-graph2d.min.css" "$OUT/"
cp "$BUILD/vis-timeline-$VIS_TIMELINE/package/LICENSE.MIT.txt" "$OUT/LICENSE-vis-timeline-MIT.txt"
cp "$BUILD/vis-timeline-$VIS_TIMELINE/package/LICENSE.Apache-2.0.txt" "$OUT/LICENSE-vis-timeline-Apache-2.0.txt"
cp "$BUILD/vis-network-$VIS_NETWORK/package/standalone/umd/vis-network.min.js" "$OUT/"
cp "$BUILD/vis-network-$VIS_NETWORK/package/styles/vis-network.min.css" "$OUT/"
cp "$BUILD/vis-network-$VIS_NETWORK/package/LICENSE-MIT" "$OUT/LICENSE-vis-network-MIT.txt"
cp "$BUILD/vis-network-$VIS_NETWORK/package/LICENSE-APACHE-2.0" "$OUT/LICENSE-vis-network-Apache-2.0.txt"
sed -i "s/^| vis-timeline | [^|]* |/| vis-timeline | $VIS_TIMELINE |/; s/^| vis-network | [^|]* |/| vis-network | $VIS_NETWORK |/" "$OUT/README.md"
ls -l "$OUT"
