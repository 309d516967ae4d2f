#!/usr/bin/env bash
# The main job: builds the project and trains a DL4J network on Fashion-MNIST streamed from
# HDF5 (see examples/README.md). Arguments are passed on, e.g. ./train.sh --model cnn --epochs 3
# ./train.sh --spark [options] trains the same network on Spark (local[2] unless --master),
# each task streaming one shard of the file (see docs/SPARK.md; --help lists the options).
set -euo pipefail
cd "$(dirname "$0")"
# Maven 3.8's console library writes colour-reset codes (ESC[0m) even with -q -B and
# -Dstyle.color=never; jansi.noreset=true is what stops them, so the build prints nothing.
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true"
if [ "${1:-}" = "--spark" ]; then
  shift
  mvn -q -B --no-transfer-progress -DskipTests -pl spark -am clean package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
  exec java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
    --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED \
    -cp "spark/target/classes:$(cat spark/target/classpath.txt)" \
    org.multitables4j.spark.examples.TrainFashionMnistSpark "$@"
fi
mvn -q -B --no-transfer-progress -DskipTests -pl examples -am clean package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
  org.multitables4j.examples.TrainFashionMnist "$@"
