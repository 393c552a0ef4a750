#!/usr/bin/env bash
# What the Spark scorer's tests need (issue 23), installed when absent; never fatal (.ci/run calls it): the
# tests skip with a message naming what is missing. PySpark and friends pinned; Java 17 from Debian.
set -u
PINS="pyspark==4.3.0 pandas==3.1.1 pyarrow==26.0.1 numpy==2.4.6"
if ! python3 -c "import pyspark, pandas, pyarrow, numpy" 2>/dev/null; then
  python3 -m pip install --quiet $PINS \
    || echo "note: could not install $PINS: the Spark tests will be skipped"
fi
if ! command -v java >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless; } \
      || echo "note: could not install openjdk-17-jre-headless: the Spark tests will be skipped"
  else
    echo "note: no java and no apt-get: install Java 17 for the Spark tests (they will be skipped)"
  fi
fi
exit 0
