#!/bin/sh
# Starting redirectd with spawn-fcgi instead of systemd: spawn-fcgi opens the socket and hands it over as
# fd 0. -F N starts N processes on the same socket and spool (each with its own threads).
exec spawn-fcgi -s /run/redirectd/redirectd.sock -M 0660 -U www-data -G www-data \
    -u redirectd -g redirectd -F 1 -P /run/redirectd/redirectd.pid -- \
    /usr/local/bin/redirectd --threads 64 --redirects /srv/redirects/redirects.d --spool /var/spool/redirectd
