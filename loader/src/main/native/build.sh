#!/bin/sh
# Builds the JNI library of NativeCodecs (libdeflate linked in statically) into the loader's
# classes: build.sh CLASSES_DIR JAVA_HOME. Without gcc, JNI headers or libdeflate's static
# library (Debian: libdeflate-dev) it builds nothing and the loader inflates with the JDK's zlib.
# With libaec's static libraries (Debian: libaec-dev: libsz.a, libaec.a) szip is linked in too;
# without them szip datasets are refused with a message saying so.
set -u
out="$1/org/multitables4j/native/linux-x86_64"
jh="$2"
here="$(cd "$(dirname "$0")" && pwd)"
so="$out/libmultitables4j-native.so"
skip() { echo "[native] $1: the loader will inflate with java.util.zip (install gcc and libdeflate-dev for libdeflate)"; exit 0; }
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || skip "not linux-x86_64"
command -v gcc >/dev/null 2>&1 || skip "no gcc"
[ -f "$jh/include/jni.h" ] || skip "no JNI headers under $jh/include"
lib=""
for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/lib /usr/lib; do
  if [ -f "$d/libdeflate.a" ]; then lib="$d/libdeflate.a"; break; fi
done
[ -n "$lib" ] || skip "no libdeflate.a"
inc="$(dirname "$(dirname "$lib")")/include"
[ -f /usr/include/libdeflate.h ] && inc=/usr/include
aec=""
aecdef=""
for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/lib /usr/lib; do
  if [ -f "$d/libsz.a" ] && [ -f "$d/libaec.a" ]; then
    h="$(dirname "$(dirname "$d")")/include"
    [ -f /usr/include/szlib.h ] && h=/usr/include
    if [ -f "$h/szlib.h" ]; then aec="$d/libsz.a $d/libaec.a"; aecdef="-DMT4J_AEC -I$h"; fi
    break
  fi
done
stamp="$1/../native-built-with"
if [ -f "$so" ] && [ "$so" -nt "$here/native.c" ] && [ "$so" -nt "$lib" ] && [ -f "$stamp" ] \
   && [ "$(cat "$stamp")" = "$lib $aec" ]; then
  exit 0
fi
mkdir -p "$out"
# shellcheck disable=SC2086
gcc -O3 -fPIC -shared -I"$jh/include" -I"$jh/include/linux" -I"$inc" $aecdef -o "$so" "$here/native.c" "$lib" $aec \
  -Wl,--exclude-libs,ALL -Wl,-z,noexecstack || skip "gcc failed"
echo "$lib $aec" > "$stamp"
if [ -n "$aec" ]; then
  echo "[native] built $so with $lib and $aec (szip)"
else
  echo "[native] built $so with $lib (no szip: install libaec-dev for it)"
fi
