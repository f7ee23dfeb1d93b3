#include "build_info.h"

#ifndef PGCDC_GIT_COMMIT
#define PGCDC_GIT_COMMIT "unknown"
#endif

const char *pgcdc_git_commit(void) { return PGCDC_GIT_COMMIT; }
