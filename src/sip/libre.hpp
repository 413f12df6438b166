#pragma once
// The one way jigasi includes libre 1.1.0: its C headers (which carry their own extern "C") plus the
// declaration libre exports but does not publish. The HAVE_* / USE_OPENSSL flags come from the libre
// dependency in meson.build; they change struct layouts (HAVE_INET6 sizes `struct sa`), so a TU that
// sees libre types without them would silently disagree with libre.a.

#if !defined(HAVE_INET6) || !defined(HAVE_INTTYPES_H) || !defined(HAVE_STDBOOL_H)
#error "libre headers need the compile flags of the libre dependency (meson.build)"
#endif

#include <re.h>

extern "C" {
/// libre's global timer list (the one re_main would poll). Exported by main.o, not in re_main.h.
struct list* tmrl_get(void);
}
