#!/usr/bin/env bash
# The installed product stands alone (ARCHITECTURE.md "One package"): build the wheel, install it — not editable —
# into a fresh virtualenv with the pinned dependencies, and from a directory outside the checkout run the demo on a
# home and ports of its own: a Prefect server, the served deployments and the web app started from the installed
# package, one ordinary evaluation through to its PDF report. Then stop what it started and remove it all.
# CI runs it beside the first pass (scripts/test.sh); by hand: scripts/wheel_smoke.sh (about 3 minutes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/python.sh

work="$(mktemp -d /tmp/pinggu-wheel-XXXXXX)"
home="$work/home"
installed="$work/venv/bin/pinggu"
stop() {
    if [ -x "$installed" ]; then PINGGU_HOME="$home" "$installed" down >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap stop EXIT
trap "exit 143" TERM INT  # the EXIT trap then stops what the demo started

echo "[wheel] 构建 wheel"
# From a copy of what git ships (tracked files and new ones it does not ignore, links kept as links): setuptools
# builds in the source folder, and its build/ must not land in the checkout.
mkdir -p "$work/src"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$work/src"
"$VENV/bin/python" -m pip wheel -q --no-deps -w "$work/dist" "$work/src" 2> >(grep -v "is ignored: it is neither" | grep -v "^ *$" >&2)
wheel="$(ls "$work"/dist/pinggu-*.whl)"
# One import name: everything the product is lives under pinggu/ (no top-level core, tasks, flows …).
top_level="$("$VENV/bin/python" -c 'import sys, zipfile; print(" ".join(sorted({name.split("/")[0] for name in zipfile.ZipFile(sys.argv[1]).namelist() if not name.split("/")[0].endswith(".dist-info")})))' "$wheel")"
if [ "$top_level" != "pinggu" ]; then
    echo "[wheel] wheel 顶层应只有 pinggu，实际为：$top_level" >&2
    exit 1
fi

echo "[wheel] 安装到新的虚拟环境（非可编辑安装，依赖按 constraints.txt）"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q -c "$root/constraints.txt" "$wheel" 2> >(grep -v "is ignored: it is neither" | grep -v "^ *$" >&2)

free_port() { "$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"
# Nothing of the checkout on the path, none of the caller's pinggu or Prefect settings: the package alone.
run_installed() {
    local unset=(-u PYTHONPATH) name
    for name in $(compgen -e | grep -E '^(PINGGU|PREFECT)_'); do unset+=(-u "$name"); done
    env "${unset[@]}" PINGGU_HOME="$home" PINGGU_PREFECT_PORT="$prefect_port" PINGGU_WEB_PORT="$web_port" "$@"
}
prefect_port="$(free_port)"
web_port="$(free_port)"
where="$(run_installed "$work/venv/bin/python" -c 'import pinggu.core.settings as s; print(s.__file__)')"
case "$where" in
    "$work/venv/"*) ;;
    *) echo "[wheel] pinggu 应从新虚拟环境导入，实际来自 $where" >&2; exit 1 ;;
esac

echo "[wheel] 在检出目录之外运行演示（端口 $prefect_port、$web_port）"
log="$work/demo.log"
if ! run_installed "$installed" demo >"$log" 2>&1; then
    cat "$log" >&2
    echo "[wheel] 安装版的演示失败" >&2
    exit 1
fi
report="$(sed -n 's/^PDF 报告：\(.*\.pdf\).*/\1/p' "$log")"
if [ -z "$report" ] || [ ! -s "$report" ] || [ "${report#"$home"/}" = "$report" ]; then
    cat "$log" >&2
    echo "[wheel] 演示没有在安装版的数据目录中生成 PDF 报告：${report:-（无）}" >&2
    exit 1
fi
run_installed "$installed" rules >/dev/null
echo "[wheel] 通过：安装版从 $where 运行，报告 ${report#"$home"/}"
