/* anyserial SDK — the one exported symbol of every plugin.
 *
 * Rules (see docs/plugin-authoring.md):
 *  - the first three fields are fixed forever; the host refuses a different major and
 *    both sides use the lower minor;
 *  - init() may be called more than once and must tolerate it; deinit() likewise;
 *  - get_factory() returns a const factory struct for a versioned id or NULL. */
#ifndef ANYSERIAL_SDK_ENTRY_H
#define ANYSERIAL_SDK_ENTRY_H

#include <stdint.h>

#include "export.h"
#include "host.h"
#include "status.h"
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANYSERIAL_ENTRY_SYMBOL "anyserial_plugin_entry"

typedef struct anyserial_plugin_entry_t {
    uint32_t abi_major, abi_minor, abi_patch;
    /* [any-thread] Called once before any factory is used (repeat calls are harmless).
     * Returns ANYSERIAL_OK or a negative status; a failing plugin is refused. */
    int32_t (*init)(const struct anyserial_host_t *host);
    /* [any-thread] Called once at shutdown after every object was destroyed. */
    void (*deinit)(void);
    /* [thread-safe] Factory by versioned id such as "anyserial.backend/1"; NULL = not
     * provided. The returned struct lives until deinit(). */
    const void *(*get_factory)(const char *factory_id);
} anyserial_plugin_entry_t;

/* Define in exactly one translation unit of a plugin:
 *   ANYSERIAL_DEFINE_PLUGIN_ENTRY(my_init, my_deinit, my_get_factory)
 */
#ifdef __cplusplus
#define ANYSERIAL_DEFINE_PLUGIN_ENTRY(init_fn, deinit_fn, get_factory_fn)                        \
    extern "C" ANYSERIAL_PLUGIN_EXPORT const anyserial_plugin_entry_t anyserial_plugin_entry;    \
    extern "C" ANYSERIAL_PLUGIN_EXPORT const anyserial_plugin_entry_t anyserial_plugin_entry = { \
        ANYSERIAL_SDK_VERSION_MAJOR,                                                             \
        ANYSERIAL_SDK_VERSION_MINOR,                                                             \
        ANYSERIAL_SDK_VERSION_PATCH,                                                             \
        (init_fn),                                                                               \
        (deinit_fn),                                                                             \
        (get_factory_fn)}
#else
#define ANYSERIAL_DEFINE_PLUGIN_ENTRY(init_fn, deinit_fn, get_factory_fn)             \
    ANYSERIAL_PLUGIN_EXPORT const anyserial_plugin_entry_t anyserial_plugin_entry = { \
        ANYSERIAL_SDK_VERSION_MAJOR,                                                  \
        ANYSERIAL_SDK_VERSION_MINOR,                                                  \
        ANYSERIAL_SDK_VERSION_PATCH,                                                  \
        (init_fn),                                                                    \
        (deinit_fn),                                                                  \
        (get_factory_fn)}
#endif

#ifdef __cplusplus
}
#endif

#endif
