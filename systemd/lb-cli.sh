#!/bin/sh
# lb-cli: lb-daemon's operator CLI, installed on PATH by systemd/install.sh.
# Serial GC and C1 only: a CLI call lives a few hundred milliseconds, and on a many-core host the
# default collector and compiler would start dozens of threads for it. LB_JAVA selects another java.
exec "${LB_JAVA:-/usr/bin/java}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar /opt/lb/lb-cli.jar "$@"
