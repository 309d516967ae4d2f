#!/usr/bin/env bash
# The main job: builds the project and trains a DL4J network on Fashion-MNIST streamed from
# HDF5 (see examples/README.md). Arguments are passed on, e.g. ./train.sh --model cnn --epochs 3
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -B -DskipTests -pl examples -am clean package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
  org.multitables4j.examples.TrainFashionMnist "$@"
