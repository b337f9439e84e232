/* anyserial SDK — port discovery, backend extension "anyserial.backend.discovery/1".
 *
 * Obtained from anyserial_backend_factory_t::get_extension(backend_id, id). Lists ports
 * without opening any. */
#ifndef ANYSERIAL_SDK_EXT_DISCOVERY_H
#define ANYSERIAL_SDK_EXT_DISCOVERY_H

#include <stdint.h>

#include "../status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANYSERIAL_EXT_DISCOVERY_ID "anyserial.backend.discovery/1"

/* <windows.h> (through objbase.h, unless WIN32_LEAN_AND_MEAN) defines `interface` as
 * `struct`; keep it out of this struct's field name. Code that reads the field after
 * including the full <windows.h> needs `#undef interface` (or WIN32_LEAN_AND_MEAN). */
#if defined(_WIN32) && defined(interface)
#pragma push_macro("interface")
#undef interface
#define ANYSERIAL_DISCOVERY_POP_INTERFACE
#endif

/* Every string is UTF-8 or NULL when unknown; vid/pid are -1 when unknown. Borrowed for
 * the duration of the visitor call only. */
typedef struct anyserial_port_info_t {
    uint32_t struct_size;
    const char *device; /* "/dev/ttyUSB0" */
    const char *name;   /* "ttyUSB0" */
    const char *description;
    const char *hwid; /* "USB VID:PID=0403:6001 SER=A12 LOCATION=1-1.2:1.0" */
    int32_t vid;
    int32_t pid;
    const char *serial_number;
    const char *manufacturer;
    const char *product;
    const char *location;
    const char *interface;
} anyserial_port_info_t;

#ifdef ANYSERIAL_DISCOVERY_POP_INTERFACE
#pragma pop_macro("interface")
#undef ANYSERIAL_DISCOVERY_POP_INTERFACE
#endif

/* Return nonzero to stop the enumeration early. */
typedef int32_t (*anyserial_port_visitor_fn)(void *user, const anyserial_port_info_t *info);

typedef struct anyserial_discovery_ext_t {
    uint32_t struct_size;
    /* [thread-safe] Visit every port; ANYSERIAL_OK also when there are none. */
    int32_t (*list_ports)(anyserial_port_visitor_fn visit, void *user);
} anyserial_discovery_ext_t;

#ifdef __cplusplus
}
#endif

#endif
