/* C11 view of the ABI: every SDK header compiles as C, the frozen layout holds for the C
 * compiler, and the layout table lets the C++ test compare both languages field by field. */
#include <anyserial/sdk/sdk.h>
#include <stddef.h>

#include "layout_asserts.h"

#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L
#error "this file must be compiled as C11"
#endif

#define LAYOUT_SIZE(T, n) sizeof(T),
#define LAYOUT_OFFSET(T, f, n) offsetof(T, f),
const size_t anyserial_test_c_layout[] = {
#include "layout_list.h"
};
#undef LAYOUT_SIZE
#undef LAYOUT_OFFSET

const size_t anyserial_test_c_layout_count =
    sizeof anyserial_test_c_layout / sizeof anyserial_test_c_layout[0];

/* The entry macro in its C form. */
static int32_t c_init(const anyserial_host_t *host) {
    return host != NULL ? ANYSERIAL_OK : ANYSERIAL_E_INVALID_ARGUMENT;
}
static void c_deinit(void) {}
static const void *c_get_factory(const char *id) {
    (void)id;
    return NULL;
}
ANYSERIAL_DEFINE_PLUGIN_ENTRY(c_init, c_deinit, c_get_factory);
