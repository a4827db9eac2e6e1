#!/usr/bin/env bash
# Run on your own machine, from anywhere inside the project, after `npm install`: packs what
# bench/gpu/run-gpu-checks.sh needs on the GPU machine into .device/ (git-ignored): the device kit
# (shared/device/prepare.sh: this Node binary, the production node_modules, dist/ and on-gpu.sh)
# and, beside it, vitest with what it loads (not a production dependency, so the kit leaves it out).
#   bash bench/gpu/prepare.sh            (FATHOM_DEVICE_KIT=DIR names another folder holding the kit)
set -euo pipefail
root=$(git rev-parse --show-toplevel); cd "$root"
kit=${FATHOM_DEVICE_KIT:-$root/../shared/device}
[[ -f $kit/on-gpu.sh ]] || { echo "bench/gpu/prepare.sh: no $kit/on-gpu.sh (set FATHOM_DEVICE_KIT)" >&2; exit 1; }
[[ -d node_modules ]] || { echo "bench/gpu/prepare.sh: run npm install first" >&2; exit 1; }
if [[ -d .git && -f $kit/prepare.sh ]]; then
  bash "$kit/prepare.sh"
else
  # A git worktree (.git is a file, which the kit's exclude step cannot write into): the kit's
  # steps, done here. .device/ is in .gitignore.
  mkdir -p .device
  npm run --silent build:ts
  node_bin=$(readlink -f "$(command -v node)")
  if [[ ! -s .device/node.xz || $node_bin -nt .device/node.xz ]]; then xz -T2 -6 -c "$node_bin" >.device/node.xz; fi
  # Asked where node_modules really lives: from a worktree sharing another checkout's modules, npm
  # would call every dev package extraneous and list it.
  mods=$(cd "$(readlink -f node_modules)/.." && pwd)
  (cd "$mods" && npm ls --omit=dev --all --parseable 2>/dev/null) | sed "s#^$mods/##" | grep '^node_modules/' \
    | awk -F/ '{ if ($2 ~ /^@/) print $1"/"$2"/"$3; else print $1"/"$2 }' | sort -u >.device/prod.txt
  tar -cJf .device/node_modules.tar.xz -T .device/prod.txt
  tar -cJf .device/dist.tar.xz dist
  cp "$kit/on-gpu.sh" .device/on-gpu.sh
fi
node bench/gpu/dev-closure.mjs vitest >.device/test-modules.txt
tar -cJf .device/test_modules.tar.xz -T .device/test-modules.txt
du -sh .device/*.xz .device
