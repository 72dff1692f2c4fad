#!/bin/sh
# Build an Apache Kafka binary distribution from Maven Central jars.
#
# Usage: dist/kafka/build.sh <output-dir> [kafka-version]
#
# Produces, like Apache's official release:
#   <output-dir>/kafka_2.13-<version>.tgz          top-level dir kafka_2.13-<version>/{bin,config,libs}
#   <output-dir>/kafka_2.13-<version>.tgz.sha512   "<hex>  <file name>", as sha512sum writes it
#
# Version: 2nd argument, else $KAFKA_VERSION, else the kafka.version property of pom.xml.
# $LOG4J_VERSION overrides the pom's log4j.version (for Kafka releases on another Log4j line).
# Jars are resolved into <output-dir>/m2 (a private Maven local repository), so the output
# directory is self-contained and can be cached as a whole; once the .tgz and its .sha512 exist
# and verify, the script does nothing. The tarball is reproducible: sorted names, mtime 0,
# uid/gid 0, normalised modes, gzip without a timestamp.
set -eu

usage() { echo "usage: $0 <output-dir> [kafka-version]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
[ -n "$1" ] || usage

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

pom_version=$(sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$here/pom.xml" | head -n 1)
version=${2:-${KAFKA_VERSION:-$pom_version}}
case "$version" in
  ''|*[!0-9A-Za-z.-]*) echo "build.sh: bad Kafka version '$version'" >&2; exit 2 ;;
esac

scala=2.13
name=kafka_$scala-$version
tgz=$name.tgz

if [ -f "$out/$tgz" ] && [ -f "$out/$tgz.sha512" ] &&
   (cd "$out" && sha512sum --quiet --status -c "$tgz.sha512") 2>/dev/null; then
  echo "build.sh: $out/$tgz is up to date"
  exit 0
fi

for tool in mvn java tar gzip sha512sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: $tool not found" >&2; exit 1; }
done

stage=$out/.stage-$name
rm -rf "$stage"
mkdir -p "$stage/$name/libs"
trap 'rm -rf "$stage" "$out/$tgz.tmp"' EXIT

# Resolve from a copy of the pom so nothing (target/, ...) is written into the source tree.
cp "$here/pom.xml" "$stage/pom.xml"
set -- -B -q -Dstyle.color=never -f "$stage/pom.xml" \
  "-Dmaven.repo.local=$out/m2" "-Dkafka.version=$version"
if [ -n "${LOG4J_VERSION:-}" ]; then
  set -- "$@" "-Dlog4j.version=$LOG4J_VERSION"
fi
echo "build.sh: resolving Kafka $version jars into $out/m2"
# Output goes to a log (Maven 3.8 prints stray ANSI codes even with -q); shown on failure.
if ! mvn "$@" dependency:copy-dependencies -DincludeScope=runtime \
     "-DoutputDirectory=$stage/$name/libs" >"$stage/mvn.log" 2>&1; then
  cat "$stage/mvn.log" >&2
  echo "build.sh: mvn failed" >&2
  exit 1
fi

# Sanity checks: the main jars are there and Log4j is on a single version.
for jar in "kafka_$scala-$version.jar" "kafka-clients-$version.jar" "kafka-tools-$version.jar" \
           "kafka-server-$version.jar" "connect-mirror-$version.jar" "connect-runtime-$version.jar"; do
  [ -f "$stage/$name/libs/$jar" ] || { echo "build.sh: $jar missing from libs/" >&2; exit 1; }
done
log4j_versions=$(cd "$stage/$name/libs" && for f in log4j-*.jar; do echo "$f"; done | sed -n 's/^log4j-[a-z0-9.-]*-\([0-9][0-9.]*\)\.jar$/\1/p' | sort -u)
if [ "$(echo "$log4j_versions" | wc -l)" -ne 1 ]; then
  echo "build.sh: several Log4j versions in libs/: $log4j_versions (set LOG4J_VERSION)" >&2
  exit 1
fi

cp -R "$here/bin" "$here/config" "$stage/$name/"
find "$stage/$name" -type d -exec chmod 755 {} +
find "$stage/$name" -type f -exec chmod 644 {} +
find "$stage/$name/bin" -type f -name '*.sh' -exec chmod 755 {} +

(cd "$stage" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
   --format=gnu -cf - "$name") | gzip -n -9 >"$out/$tgz.tmp"
mv "$out/$tgz.tmp" "$out/$tgz"
(cd "$out" && sha512sum "$tgz" >"$tgz.sha512.tmp" && mv "$tgz.sha512.tmp" "$tgz.sha512")

echo "build.sh: wrote $out/$tgz ($(wc -c <"$out/$tgz") bytes)"
