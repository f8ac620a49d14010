# Puts Node.js 24 first on PATH, fetching it from the npm registry's `node@24` package
# into a cache folder when the machine's node is older. Never touches the system node.
# Usage: source .ci/use-node24.sh
haru_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(haru_node_major)" -lt 24 ]; then
  HARU_NODE_CACHE="${HARU_NODE_CACHE:-$HOME/.cache/haru-node24}"
  if [ ! -x "$HARU_NODE_CACHE/node_modules/.bin/node" ]; then
    mkdir -p "$HARU_NODE_CACHE"
    # npm 11 runs the package's install script (which fetches the platform binary
    # package) only when allowScripts names it.
    printf '{"name":"haru-node24","private":true,"allowScripts":{"node":true}}\n' > "$HARU_NODE_CACHE/package.json"
    (cd "$HARU_NODE_CACHE" && npm install --no-package-lock --no-audit --no-fund node@24 >/dev/null)
  fi
  export PATH="$HARU_NODE_CACHE/node_modules/.bin:$PATH"
fi
echo "using node $(node -v) from $(command -v node)"
