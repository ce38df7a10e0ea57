#ifndef REDIRECTD_CQRENCODE_SHIM_H
#define REDIRECTD_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
