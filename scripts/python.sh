# Sourced by the other scripts: which Python and which virtualenv they use.
#
# Supported: Python 3.11, 3.12 and 3.13. Without PYTHON, the newest supported interpreter found (on
# PATH, or installed by pyenv under ~/.pyenv/versions) makes `.venv`. PYTHON=python3.12 (a command or
# a path) uses that interpreter instead, in its own `.venv-3.12`, so several versions live side by side.
SUPPORTED_PYTHONS=(3.13 3.12 3.11)

_python_version() {  # "3.12" for an interpreter that runs and is supported; nothing otherwise (never fails)
    "$1" -c 'import sys; v = "%d.%d" % sys.version_info[:2]; print(v) if v in "'"${SUPPORTED_PYTHONS[*]}"'".split() else None' 2>/dev/null || true
}

# All supported interpreters found, newest first, one "version path" pair per line.
supported_pythons() {
    local version candidate found
    for version in "${SUPPORTED_PYTHONS[@]}"; do
        for candidate in "python$version" "$HOME"/.pyenv/versions/"$version"*/bin/"python$version"; do
            command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ] || continue
            found="$(_python_version "$candidate")"
            if [ "$found" = "$version" ]; then
                echo "$version $candidate"
                break
            fi
        done
    done
}

if [ -n "${PYTHON:-}" ]; then
    PYTHON_VERSION="$(_python_version "$PYTHON")"
    if [ -z "$PYTHON_VERSION" ] && [[ "$PYTHON" =~ ^python(3\.[0-9]+)$ ]]; then
        # python3.12 named but not runnable as such (e.g. a pyenv shim for a version pyenv has not
        # activated): the same version installed elsewhere will do.
        wanted="${BASH_REMATCH[1]}"
        PYTHON="$(supported_pythons | awk -v v="$wanted" '$1 == v {print $2; exit}')"
        PYTHON_VERSION="$(if [ -n "$PYTHON" ]; then _python_version "$PYTHON"; fi)"
        PYTHON="${PYTHON:-python$wanted}"
    fi
    if [ -z "$PYTHON_VERSION" ]; then
        echo "[setup] PYTHON=$PYTHON 不可用：需要 Python ${SUPPORTED_PYTHONS[*]} 之一" >&2
        exit 2
    fi
    VENV=".venv-$PYTHON_VERSION"
elif [ -n "$(_python_version .venv/bin/python)" ]; then
    PYTHON=.venv/bin/python  # made before: kept, whichever supported version it has
    PYTHON_VERSION="$(_python_version .venv/bin/python)"
    VENV=".venv"
else
    read -r PYTHON_VERSION PYTHON < <(supported_pythons | head -1) || true
    if [ -z "${PYTHON:-}" ]; then
        echo "[setup] 未找到可用的 Python（需要 ${SUPPORTED_PYTHONS[*]} 之一）；可用 PYTHON=/path/to/python3.x 指定" >&2
        exit 2
    fi
    VENV=".venv"
fi
