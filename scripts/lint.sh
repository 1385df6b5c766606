#!/usr/bin/env bash
# clang-format (check only) on every C++ file, clang-tidy on the production sources, shellcheck
# on every script, and the module dependencies (src/module_dependencies.txt) of every #include. Usage: scripts/lint.sh BUILD_DIR_WITH_COMPILE_COMMANDS
set -euo pipefail
build_dir=${1:?usage: lint.sh BUILD_DIR}
cd "$(dirname "$0")/.."

mapfile -t cxx < <(git ls-files --cached --others --exclude-standard '*.cc' '*.h')
echo "lint: clang-format on ${#cxx[@]} files"
clang-format --dry-run -Werror "${cxx[@]}"

mapfile -t scripts < <(git ls-files --cached --others --exclude-standard '*.sh' '.ci/run')
echo "lint: shellcheck on ${#scripts[@]} scripts"
shellcheck "${scripts[@]}"

echo "lint: module dependencies"
python3 scripts/check_module_deps.py

if [[ ! -f "$build_dir/compile_commands.json" ]]; then
  echo "lint: $build_dir/compile_commands.json is missing; build first" >&2
  exit 1
fi
mapfile -t sources < <(git ls-files --cached --others --exclude-standard 'src/*.cc' 'cmd/*.cc')
echo "lint: clang-tidy on ${#sources[@]} files"
printf '%s\n' "${sources[@]}" |
  xargs -P 2 -n 4 clang-tidy -p "$build_dir" --quiet --warnings-as-errors='*' 2> >(grep -v "warnings generated" >&2)
echo "lint: clean"
