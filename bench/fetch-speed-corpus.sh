#!/usr/bin/env bash
# Recreates the speed-benchmark corpus: a pinned set of npm packages' sources,
# about 1M lines of JavaScript/TypeScript. Uses only `npm pack` (the npm registry).
#   usage: bash bench/fetch-speed-corpus.sh [DEST]   (default bench/corpora/speed)
set -euo pipefail
DEST="${1:-$(dirname "$0")/corpora/speed}"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"
PACKAGES=(
  lodash@4.17.21 rxjs@7.8.1 webpack@5.91.0 eslint@8.57.0 three@0.160.0 mathjs@12.4.1
  ajv@8.12.0 moment@2.30.1 acorn@8.11.3 terser@5.30.3 @babel/core@7.24.4
  @babel/traverse@7.24.1 @babel/types@7.24.0 @babel/generator@7.24.4 typeorm@0.3.20 sequelize@6.37.3
  mongoose@8.3.2 express@4.19.2 koa@2.15.3 fastify@4.26.2 graphql@16.8.1 immutable@4.3.5
  chart.js@4.4.2 d3@7.9.0 jsdom@24.0.0 socket.io@4.7.5 ws@8.16.0 yargs@17.7.2 commander@12.0.0
  postcss@8.4.38 less@4.2.0 handlebars@4.7.8 marked@12.0.1 markdown-it@14.1.0
  zod@3.22.4 joi@17.12.3 yup@1.4.0 knex@3.1.0 pg@8.11.5 mysql2@3.9.7 ioredis@5.4.1 undici@6.13.0
  @nestjs/core@10.3.7 @nestjs/common@10.3.7 vue@3.4.21 @vue/compiler-core@3.4.21 svelte@4.2.15
  rollup@4.14.3 esprima@4.0.1 core-js@3.37.0 xlsx@0.18.5 pdfkit@0.15.0 luxon@3.4.4 bluebird@3.7.2
)
cd "$DEST"
for p in "${PACKAGES[@]}"; do
  name="${p%@*}"; dir="${name//\//__}"
  if [[ -d "$dir" ]]; then continue; fi
  tgz="$(npm pack "$p" --silent 2>/dev/null | tail -1)" || { echo "skip $p (npm pack failed)"; continue; }
  mkdir -p "$dir" && tar -xzf "$tgz" -C "$dir" --strip-components=1 && rm -f "$tgz"
  echo "fetched $p"
done
echo "speed corpus ready in $DEST"
