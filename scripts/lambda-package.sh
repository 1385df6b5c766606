#!/usr/bin/env bash
# Builds the Lambda deployment package: a zip whose `bootstrap` starts `pictor lambda` on the
# provided.al2023 runtime whatever glibc the build machine has.
#
#   scripts/lambda-package.sh [PICTOR_BINARY] [OUTPUT_ZIP]
#     defaults: build/pictor and build/pictor-lambda.zip
#
# Layout of the zip (see docs/LAMBDA.md for why):
#   bootstrap                      shell script: exec lib/ld-linux-*.so.* --library-path lib bin/pictor
#   bin/pictor                     the binary, stripped of its symbols and debug information
#   lib/ld-linux-x86-64.so.2       the dynamic loader the binary was linked against
#   lib/*.so*                      every shared library ldd lists, glibc included
#
# The zip is reproducible: the same binary gives the same bytes whenever and wherever it is
# packaged, so Terraform's source_code_hash and SAM's code hash change only when the code does.
# Every entry has the timestamp SOURCE_DATE_EPOCH (else the time of the checkout's last commit,
# else 1980-01-01), mode 0755 or 0644 and no owner or extra fields, in sorted order; the binary is
# stripped (no build paths, no debug sections).
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
# --enable-deterministic-archives is for .a files; for an executable strip already writes the
# same bytes for the same input.
strip --strip-all -o "$stage/bin/pictor" "$binary"

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

if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
  SOURCE_DATE_EPOCH=$(git -C "$(dirname "$0")" log -1 --format=%ct 2>/dev/null || echo 315532800)
fi

mkdir -p "$(dirname "$output")"
output_abs=$(cd "$(dirname "$output")" && pwd)/$(basename "$output")
rm -f "$output_abs"
# Python's zipfile rather than zip(1): every field of every entry is set here, nothing comes from
# the file system but the bytes.
python3 - "$stage" "$output_abs" "$SOURCE_DATE_EPOCH" <<'PY'
import os, stat, sys, time, zipfile
stage, out, epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
# A zip stores local date and time from 1980 on, two-second resolution: UTC, clamped.
stamp = time.gmtime(max(epoch, 315532800))[:6]
paths = []
for root, _, files in os.walk(stage):
    paths += [os.path.relpath(os.path.join(root, f), stage) for f in files]
with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    for rel in sorted(paths):
        full = os.path.join(stage, rel)
        info = zipfile.ZipInfo(rel, date_time=stamp)
        info.create_system = 3  # Unix, so Lambda reads the mode bits below
        executable = os.stat(full).st_mode & stat.S_IXUSR
        info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(full, "rb") as fh:
            z.writestr(info, fh.read(), compresslevel=6)
os.replace(out + ".tmp", out)
PY
echo "lambda-package: $output ($(du -h "$output_abs" | cut -f1), loader $loader_name," \
  "$(find "$stage/lib" -type f | wc -l) files in lib/)"
