#!/usr/bin/env bash
# Typecheck the framework examples that have their own compiler settings (JSX, SvelteKit's $lib/$env).
# The SvelteKit example is its own package (adapter-node wants one) and sees oauthkit through a link,
# as `npm install` of "file:../.." would make it; both resolve oauthkit's types from src/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p examples/sveltekit/node_modules
ln -sfn ../../.. examples/sveltekit/node_modules/oauthkit
tsc -p examples/next/tsconfig.json --noEmit
(cd examples/sveltekit && svelte-kit sync && tsc -p .)
