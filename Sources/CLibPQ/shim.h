#ifndef PGCDC_CLIBPQ_SHIM_H
#define PGCDC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
