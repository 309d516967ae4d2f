#!/usr/bin/env bash
# The main job: builds the project and trains a DL4J network on Fashion-MNIST streamed from
# HDF5 (see examples/README.md). Arguments are passed on, e.g. ./train.sh --model cnn --epochs 3
set -euo pipefail
cd "$(dirname "$0")"
# Maven 3.8's console library writes colour-reset codes (ESC[0m) even with -q -B and
# -Dstyle.color=never; jansi.noreset=true is what stops them, so the build prints nothing.
MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true" mvn -q -B --no-transfer-progress -DskipTests -pl examples -am clean package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
  org.multitables4j.examples.TrainFashionMnist "$@"
