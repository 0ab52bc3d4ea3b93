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
