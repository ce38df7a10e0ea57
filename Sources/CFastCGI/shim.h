#ifndef REDIRECTD_CFASTCGI_SHIM_H
#define REDIRECTD_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#endif
