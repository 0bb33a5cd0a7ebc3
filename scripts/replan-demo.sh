#!/usr/bin/env bash
# Re-plans a finished `salvage demo --dir SRC` without pulling again: copies its workspace and incident to DST, loads
# a fresh target from restored.sql, then plans (as of the pull), applies what is auto-accepted and scores, listing
# every mistake. A rule change is measured in under a minute instead of the demo's five.
#   scripts/replan-demo.sh /tmp/demo-medium /tmp/replan
set -euo pipefail
if [[ $# -ne 2 ]]; then echo "usage: $0 DEMO_DIR OUT_DIR" >&2; exit 2; fi
src=$(realpath "$1"); dst=$(realpath -m "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
salvage="$root/packages/cli/bin/salvage.js"
for f in .salvage incident salvage.config.yaml; do
  [[ -e "$src/$f" ]] || { echo "$src/$f is missing: is $src a finished salvage demo directory?" >&2; exit 1; }
done
rm -rf "$dst" && mkdir -p "$dst"
cp -a "$src/.salvage" "$src/incident" "$src/salvage.config.yaml" "$dst/"
target=$(cd "$root" && DST="$dst" node --import tsx -e "
const { runSqlScript, openDatabase, readTargetIdentity } = await import('@salvage/store');
const { readFileSync } = await import('node:fs');
const loc = { pglite: process.env.DST + '/target' };
await runSqlScript(loc, readFileSync(process.env.DST + '/incident/restored.sql', 'utf8'));
const h = await openDatabase(loc);
console.log((await readTargetIdentity(h.db)).databaseName);
await h.close();")
as_of=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$dst/incident/manifest.json','utf8')).incident.pulledAt)")
cd "$dst"
node "$salvage" plan --out plan.json --allow-in-git --as-of "$as_of" > plan.log 2>&1
node "$salvage" apply --only-decided --confirm-target "$target" > apply.log 2>&1
node "$salvage" bench accuracy --truth incident --pglite target --plan plan.json --examples 100000 \
  --out accuracy.json > score.log 2>&1
tail -n 12 score.log
echo "wrote $dst/accuracy.json (logs: plan.log, apply.log, score.log)"
