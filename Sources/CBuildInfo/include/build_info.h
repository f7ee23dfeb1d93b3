#ifndef PGCDC_BUILD_INFO_H
#define PGCDC_BUILD_INFO_H

/// The git commit pgcdc was built from: `scripts/package` passes it as
/// `-Xcc -DPGCDC_GIT_COMMIT='"…"'`; a plain `swift build` leaves it "unknown".
const char *pgcdc_git_commit(void);

#endif
