#ifndef REDIRECTD_CMAXMINDDB_SHIM_H
#define REDIRECTD_CMAXMINDDB_SHIM_H
#include <maxminddb.h>
#endif
