#!/usr/bin/env bash
# Installs the Debian packages (and npm packages) a Pictor task needs, only when missing.
# Usage: scripts/install-deps.sh build|test|bench|run|fuzz|package ...
set -euo pipefail

build_pkgs=(
  cmake ninja-build ccache g++ pkg-config make
  libboost1.74-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libsqlite3-dev libssl-dev libdeflate-dev
  libspng-dev libpng-dev zlib1g-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
run_pkgs=(curl jq)
test_pkgs=(libcurl4-openssl-dev openssl clang-format clang-tidy curl jq python3 python3-botocore python3-boto3 python3-aiosmtpd python3-yaml yamllint awscli prometheus sqlite3 shellcheck
  chromium)
# clang 14 with its runtimes: libFuzzer and the sanitizers for `make fuzz`.
fuzz_pkgs=(clang-14 libclang-rt-14-dev llvm-14)
# `make lambda-package`: strip (binutils) and the reproducible zip writer (python3).
package_pkgs=(python3 binutils)
bench_pkgs=(wrk nginx-light python3 python3-boto3 time awscli curl zip)

# npm packages (test peers) go into tools/node_modules, pinned by tools/package-lock.json.
# Installed when every package tools/package.json pins is there at its pinned version, so a
# checkout that gained a package (or a new pin) installs again.
npm_peers_installed() {
  command -v node >/dev/null || return 1
  node -e '
    const p = require("./tools/package.json");
    const pins = { ...p.dependencies, ...p.devDependencies };
    for (const [name, version] of Object.entries(pins)) {
      let installed = "";
      try { installed = require("./tools/node_modules/" + name + "/package.json").version; } catch {}
      if (installed !== version) process.exit(1);
    }'
}

install_npm_peers() {
  if npm_peers_installed; then
    return 0
  fi
  if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    echo "install-deps: node and npm (Node.js 20 or later) are needed for the test peers" >&2
    exit 1
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if ((major < 20)); then
    echo "install-deps: Node.js $major is too old for the test peers; 20 or later is needed" >&2
    exit 1
  fi
  echo "install-deps: npm ci --prefix tools"
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
}

# The deploy checks (tests/unit/deploy) also run terraform, offline from a local provider mirror,
# and cfn-lint. Neither is a Debian or npm package: machine images carry them (ci.yml installs
# them on GitHub's runner). Said here so a missing one is not first met as a failing test.
check_deploy_tools() {
  local missing_tools=()
  command -v terraform >/dev/null || missing_tools+=("terraform")
  command -v cfn-lint >/dev/null || missing_tools+=("cfn-lint")
  local mirror found=0
  for mirror in "${PICTOR_TF_PLUGIN_DIR:-}" /opt/tf-plugins /usr/share/terraform/plugins \
    /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
    [[ -n "$mirror" && -d "$mirror/registry.terraform.io/hashicorp/aws" ]] && found=1
  done
  ((found)) || missing_tools+=("an AWS provider mirror (PICTOR_TF_PLUGIN_DIR)")
  if ((${#missing_tools[@]})); then
    echo "install-deps: the deploy checks will fail without: ${missing_tools[*]}" >&2
  fi
  return 0
}

cd "$(dirname "$0")/.."
wanted=()
need_npm=0
for group in "$@"; do
  case "$group" in
    build) wanted+=("${build_pkgs[@]}") ;;
    run) wanted+=("${build_pkgs[@]}" "${run_pkgs[@]}") ;;
    test) wanted+=("${build_pkgs[@]}" "${test_pkgs[@]}") need_npm=1 && check_deploy_tools ;;
    bench) wanted+=("${build_pkgs[@]}" "${bench_pkgs[@]}" "${run_pkgs[@]}") need_npm=1 ;;
    fuzz) wanted+=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
    package) wanted+=("${build_pkgs[@]}" "${package_pkgs[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build, run, test, bench, fuzz, package)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} == 0)); then
  ((need_npm)) && install_npm_peers
  exit 0
fi

# De-duplicate while keeping order.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: missing packages ${missing[*]}; run as root or install them" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
((need_npm)) && install_npm_peers
exit 0
