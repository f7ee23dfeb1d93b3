#ifndef PGCDC_CNATS_SHIM_H
#define PGCDC_CNATS_SHIM_H
#include <nats/nats.h>
#endif
