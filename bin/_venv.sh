# Sourced by bin/demo and bin/test: create or update .venv with the pinned set (constraints.txt).
# Usage: . bin/_venv.sh EXTRAS   (EXTRAS: "" for the site alone, "test" for the suite too)
extras="${1:-}"
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing python3-venv (Debian ships venv separately)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    echo "Python's venv module is missing: run 'sudo apt-get install python3-venv' and try again." >&2
    exit 1
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.pnyx-installed-${extras:-site}"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  spec="."
  [ -n "$extras" ] && spec=".[$extras]"
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e "$spec"
  echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
