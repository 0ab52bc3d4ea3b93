# Sourced by bin/plan and bin/test: make sure .venv exists and holds the pinned requirements.
# Re-installs only when the requirements files change (a hash stamp inside .venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/$1"

pick_python() {
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "error: Python 3.11 or newer is needed (none found on PATH)" >&2
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  echo "setting up $VENV (first run only)..." >&2
  "$(pick_python)" -m venv "$VENV"
fi
stamp="$VENV/.deps-$(basename "$REQUIREMENTS").sha256"
wanted="$(cat "$ROOT"/requirements*.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "installing $(basename "$REQUIREMENTS") into .venv..." >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
  echo "$wanted" > "$stamp"
fi
cd "$ROOT"

# node_modules from package-lock.json (wrangler for bin/dev and the wrangler-backed tests), when Node.js
# is installed; re-installed only when the lockfile changes. Without Node.js those tests skip and say so.
ensure_node_modules() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "note: Node.js/npm not found: bin/dev and the wrangler-backed tests need Node.js 20 or newer" >&2
    return 0
  fi
  local node_stamp="$ROOT/node_modules/.deps-package-lock.sha256" node_wanted
  node_wanted="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$node_stamp" 2>/dev/null)" != "$node_wanted" ]; then
    echo "installing package-lock.json into node_modules..." >&2
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$node_wanted" > "$node_stamp"
  fi
}
