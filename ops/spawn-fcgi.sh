#!/bin/sh
# Starting redirectd with spawn-fcgi instead of systemd socket activation: spawn-fcgi opens the socket and
# hands it over as fd 0. -n keeps redirectd in the foreground, so its stderr (errors, the once-a-minute
# spool failure reports) reaches whatever supervises this script; without -n, spawn-fcgi detaches it and
# sends stderr to /dev/null. For several processes on one socket and spool, drop -n and add -F N, and
# redirect stderr yourself (e.g. wrap redirectd in `sh -c 'exec redirectd ... 2>>/var/log/redirectd.log'`).
exec spawn-fcgi -n -s /run/redirectd/redirectd.sock -M 0660 -U www-data -G www-data \
    -u redirectd -g redirectd -- \
    /usr/local/bin/redirectd --threads 64 --redirects /srv/redirects/redirects.d --spool /var/spool/redirectd
