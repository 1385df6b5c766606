#!/usr/bin/env bash
# Builds the Lambda deployment package: a zip whose `bootstrap` starts `pictor lambda` on the
# provided.al2023 runtime whatever glibc the build machine has.
#
#   scripts/lambda-package.sh [PICTOR_BINARY] [OUTPUT_ZIP]
#     defaults: build/pictor and build/pictor-lambda.zip
#
# Layout of the zip (see docs/LAMBDA.md for why):
#   bootstrap                      shell script: exec lib/ld-linux-*.so.* --library-path lib bin/pictor
#   bin/pictor                     the binary, unchanged
#   lib/ld-linux-x86-64.so.2       the dynamic loader the binary was linked against
#   lib/*.so*                      every shared library ldd lists, glibc included
set -euo pipefail

binary=${1:-build/pictor}
output=${2:-build/pictor-lambda.zip}

if [[ ! -x "$binary" ]]; then
  echo "lambda-package: $binary is not an executable (run make build first)" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
cp -L "$binary" "$stage/bin/pictor"

# The loader is the program interpreter recorded in the binary (PT_INTERP).
loader=$(readelf -l "$binary" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
if [[ -z "$loader" || ! -e "$loader" ]]; then
  echo "lambda-package: no program interpreter found in $binary" >&2
  exit 1
fi
loader_name=$(basename "$loader")
cp -L "$loader" "$stage/lib/$loader_name"

# "libfoo.so.1 => /lib/.../libfoo.so.1 (0x...)": copy each resolved library under its soname.
while read -r name arrow path _; do
  [[ "$arrow" == "=>" && -n "$path" && -e "$path" ]] || continue
  cp -L "$path" "$stage/lib/$name"
done < <(ldd "$binary")

cat > "$stage/bootstrap" <<BOOTSTRAP
#!/bin/sh
# Starts pictor through the dynamic loader and libraries bundled beside it, so neither the
# runtime's glibc nor its library search path is used. With no arguments it runs the Lambda
# runtime loop; any arguments are passed to pictor instead ("bootstrap --version").
here=\$(dirname "\$0")
if [ "\$#" -eq 0 ]; then
  set -- lambda
fi
# Amazon Linux keeps its CA bundle in /etc/pki, not at Debian's path; OpenSSL reads SSL_CERT_FILE.
if [ -z "\${SSL_CERT_FILE:-}" ] && [ -r /etc/pki/tls/certs/ca-bundle.crt ]; then
  SSL_CERT_FILE=/etc/pki/tls/certs/ca-bundle.crt
  export SSL_CERT_FILE
fi
exec "\$here/lib/$loader_name" --library-path "\$here/lib" "\$here/bin/pictor" "\$@"
BOOTSTRAP
chmod 755 "$stage/bootstrap" "$stage/bin/pictor" "$stage/lib/$loader_name"

mkdir -p "$(dirname "$output")"
output_abs=$(cd "$(dirname "$output")" && pwd)/$(basename "$output")
rm -f "$output_abs"
if command -v zip >/dev/null 2>&1; then
  (cd "$stage" && zip -q -r -X "$output_abs" bootstrap bin lib)
else
  # zipfile keeps the Unix mode bits Lambda needs for bootstrap and the loader.
  python3 - "$stage" "$output_abs" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk(stage):
        for f in sorted(files):
            full = os.path.join(root, f)
            info = zipfile.ZipInfo.from_file(full, os.path.relpath(full, stage))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(full, "rb") as fh:
                z.writestr(info, fh.read())
PY
fi
echo "lambda-package: $output ($(du -h "$output_abs" | cut -f1), loader $loader_name," \
  "$(find "$stage/lib" -type f | wc -l) files in lib/)"
