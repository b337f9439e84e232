/* Static asserts of the frozen ABI v1 layout (layout_list.h), for C11 and C++. */
#ifndef ANYSERIAL_TESTS_SDK_LAYOUT_ASSERTS_H
#define ANYSERIAL_TESTS_SDK_LAYOUT_ASSERTS_H

#include <anyserial/sdk/sdk.h>
#include <stddef.h>

#ifdef __cplusplus
#define ANYSERIAL_LAYOUT_ASSERT(cond, msg) static_assert(cond, msg);
#else
#define ANYSERIAL_LAYOUT_ASSERT(cond, msg) _Static_assert(cond, msg);
#endif

#if defined(__LP64__) || defined(_LP64)
#define LAYOUT_SIZE(T, n) ANYSERIAL_LAYOUT_ASSERT(sizeof(T) == (n), "sizeof(" #T ") changed")
#define LAYOUT_OFFSET(T, f, n) \
    ANYSERIAL_LAYOUT_ASSERT(offsetof(T, f) == (n), "offsetof(" #T ", " #f ") changed")
#include "layout_list.h"
#undef LAYOUT_SIZE
#undef LAYOUT_OFFSET
#endif

#endif
