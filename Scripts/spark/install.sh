#!/usr/bin/env bash
# What the Spark scorer's tests need (issue 23), installed when absent; never fatal (.ci/run calls it): the
# tests skip with a message naming what is missing. PySpark and friends pinned; Java 17 from Debian.
set -u
PINS="pyspark==4.3.0 pandas==3.1.1 pyarrow==26.0.1 numpy==2.4.6"
SUDO=; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
apt_install() {   # apt_install PACKAGE: from Debian's archive, when apt-get exists
  command -v apt-get >/dev/null 2>&1 || return 1
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$1"; }
}
if ! python3 -c "import pyspark, pandas, pyarrow, numpy" 2>/dev/null; then
  python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip \
    || echo "note: no pip for python3 and none could be installed"
  # A system Python that PEP 668 marks as externally managed (Debian 12) refuses plain installs: then
  # into the user's site-packages, which the tests' python3 reads.
  python3 -m pip install --quiet $PINS \
    || python3 -m pip install --quiet --user --break-system-packages $PINS \
    || echo "note: could not install $PINS: the Spark tests will be skipped"
fi
if ! command -v java >/dev/null 2>&1; then
  apt_install openjdk-17-jre-headless \
    || echo "note: could not install openjdk-17-jre-headless (needs apt-get): the Spark tests will be skipped"
fi
exit 0
