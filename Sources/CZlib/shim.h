#ifndef REDIRECTD_CZLIB_SHIM_H
#define REDIRECTD_CZLIB_SHIM_H
#include <zlib.h>
#endif
