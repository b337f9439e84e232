// C++ view of the ABI: the same frozen layout as static asserts, and a run-time comparison
// with what the C compiler laid out (c_layout.c), field by field.
#define BOOST_TEST_MODULE anyserial_sdk
#include <anyserial/sdk/sdk.h>

#include <boost/test/unit_test.hpp>
#include <cstddef>
#include <cstring>

#include "layout_asserts.h"

extern "C" {
extern const std::size_t anyserial_test_c_layout[];
extern const std::size_t anyserial_test_c_layout_count;
extern const anyserial_plugin_entry_t anyserial_plugin_entry;
}

namespace {

#define LAYOUT_SIZE(T, n) sizeof(T),
#define LAYOUT_OFFSET(T, f, n) offsetof(T, f),
const std::size_t cpp_layout[] = {
#include "layout_list.h"
};
#undef LAYOUT_SIZE
#undef LAYOUT_OFFSET

#define LAYOUT_SIZE(T, n) "sizeof(" #T ")",
#define LAYOUT_OFFSET(T, f, n) "offsetof(" #T ", " #f ")",
const char *const layout_names[] = {
#include "layout_list.h"
};
#undef LAYOUT_SIZE
#undef LAYOUT_OFFSET

}  // namespace

BOOST_AUTO_TEST_CASE(c_and_cpp_agree_on_every_size_and_offset) {
    constexpr std::size_t count = std::size(cpp_layout);
    BOOST_REQUIRE_EQUAL(anyserial_test_c_layout_count, count);
    BOOST_REQUIRE_GT(count, 250u);  // every struct and field of layout_list.h
    for (std::size_t i = 0; i < count; ++i) {
        BOOST_TEST_CONTEXT(layout_names[i]) {
            BOOST_TEST(anyserial_test_c_layout[i] == cpp_layout[i]);
        }
    }
}

BOOST_AUTO_TEST_CASE(entry_macro_in_c_exports_the_version) {
    BOOST_TEST(anyserial_plugin_entry.abi_major == ANYSERIAL_SDK_VERSION_MAJOR);
    BOOST_TEST(anyserial_plugin_entry.abi_minor == ANYSERIAL_SDK_VERSION_MINOR);
    BOOST_TEST(anyserial_plugin_entry.get_factory(ANYSERIAL_BACKEND_FACTORY_ID) == nullptr);
    BOOST_TEST(anyserial_plugin_entry.init(nullptr) == ANYSERIAL_E_INVALID_ARGUMENT);
}
