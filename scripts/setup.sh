#!/usr/bin/env bash
# Prepares this checkout: Debian packages the product needs, a virtualenv, the pinned Python packages.
# Idempotent: a second run only checks and returns in a second or two.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# fonts-noto-cjk: the PDF's Chinese glyphs; libharfbuzz-subset0: WeasyPrint subsets fonts in <1 s
# instead of 30+ s through fontTools; poppler-utils: pdftotext/pdftoppm for checking reports;
# chromium: the dashboard's test renders the page in a real browser; redis-server, haproxy: `pinggu up --ha`
# (Redis for the Prefect servers' events, haproxy in front of the two API servers; both started by pinggu itself).
debs=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium redis-server haproxy)
missing=()
for pkg in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "[setup] 安装系统软件包: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

source "$root/scripts/python.sh"
if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] 创建虚拟环境 $VENV（Python $PYTHON_VERSION：$PYTHON）"
    "$PYTHON" -m venv "$VENV"
fi

stamp="$VENV/.pinggu-installed"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "[setup] 安装固定版本的 Python 依赖 (constraints.txt)"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    # The mirror's index prints a harmless "Location ... is ignored" line per package; keep the log readable.
    "$VENV/bin/python" -m pip install -q -c constraints.txt -e ".[test,lint]" 2> >(grep -v "is ignored: it is neither" | grep -v "^ *$" >&2)
    echo "$want" > "$stamp"
fi
# The tests' OpenID provider (tests/oidc: panva/oidc-provider on Node, for the single sign-on tests).
if ! command -v npm >/dev/null 2>&1; then
    echo "[setup] 安装 Node.js 与 npm（单点登录测试用的 OpenID 服务）"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -d tests/oidc/node_modules/oidc-provider ] || [ tests/oidc/package-lock.json -nt tests/oidc/node_modules ]; then
    echo "[setup] 安装测试用 OpenID 服务（tests/oidc，npm ci）"
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# Byte-compile the product once: with PYTHONDONTWRITEBYTECODE set (as in some shells and CI), every
# flow-run process would otherwise compile every module from source again.
"$VENV/bin/python" -m compileall -q -j 0 core services forms pinggu flows tasks models rules analysis reporting deployments migrations >/dev/null
echo "[setup] 环境就绪（$VENV，Python $PYTHON_VERSION）"
