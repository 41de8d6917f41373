#!/bin/sh
# The guest's init: runs the workload named on the kernel command line (wl=NAME share=F) forever,
# printing "workload: start NAME" once it runs, so the host knows when to migrate.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
wl=sequential
share=0.3
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    wl=*) wl="${arg#wl=}" ;;
    share=*) share="${arg#share=}" ;;
  esac
done
cd /work
echo "workload: start $wl"
case "$wl" in
  sequential | strided | random | chase) exec /bin/walk "$wl" "$share" ;;
  sqlite) while true; do /usr/bin/sqlite3 :memory: < workload.sql > /dev/null; echo "workload: pass"; done ;;
  bzip2) while true; do /usr/bin/bzip2 -9 -c words.txt > /tmp/words.bz2; echo "workload: pass"; done ;;
  *) echo "workload: unknown '$wl'" ;;
esac
