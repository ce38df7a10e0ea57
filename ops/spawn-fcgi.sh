#!/bin/sh
# Starting redirectd with spawn-fcgi instead of systemd socket activation: spawn-fcgi opens the socket and
# hands it over as fd 0. -n keeps redirectd in the foreground, so its stderr (errors, the once-a-minute
# spool failure reports) reaches whatever supervises this script; without -n, spawn-fcgi detaches it and
# sends stderr to /dev/null. For several processes on one socket and spool, drop -n and add -F N, and
# redirect stderr yourself (e.g. wrap redirectd in `sh -c 'exec redirectd ... 2>>/var/log/redirectd.log'`).
#
# Reload (`kill -HUP <pid>`): redirectd starts /usr/local/bin/redirectd again as its own child, on the same
# socket; once the new process serves, the old one finishes its requests and exits 0. With -n, spawn-fcgi has
# become redirectd, so whatever supervises this script sees its process exit 0 while the new one (now a child of
# init) serves on. A supervisor that restarts on exit (runit, daemontools, supervisord) then runs this script
# again, and spawn-fcgi refuses ("socket is already in use"): under such a supervisor, restart instead of
# reloading, or move to the systemd units in ops/systemd (a reload there is followed through MAINPID=). Under
# systemd with this script, use Type=notify: redirectd sends READY=1 and, at a reload, MAINPID=<new pid>.
exec spawn-fcgi -n -s /run/redirectd/redirectd.sock -M 0660 -U www-data -G www-data \
    -u redirectd -g redirectd -- \
    /usr/local/bin/redirectd --redirects /srv/redirects/redirects.d --spool /var/spool/redirectd
