#!/usr/bin/env bash
# npm run train:rank — refit the shipped ranking model (models/sift-rank/) from
# held-out training packages: two dataset shards in parallel (one per core),
# then the fit. Needs `npm run train:sources` and `npm run train:data` first
# (the packages and their harvested pairs under ~/.cache/sift-training).
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHE="$HOME/.cache/sift-training"
rm -rf "$CACHE/rank-data-a" "$CACHE/rank-data-b"
npx tsx training/rank/cli.ts data --packages 300 --shard 0/2 --out "$CACHE/rank-data-a" &
a=$!
npx tsx training/rank/cli.ts data --packages 300 --shard 1/2 --out "$CACHE/rank-data-b" &
b=$!
wait "$a"
wait "$b"
npx tsx training/rank/cli.ts fit --data "$CACHE/rank-data-a,$CACHE/rank-data-b" "$@"
