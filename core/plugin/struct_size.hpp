// anyserial — the core's names for the one reader of the C ABI's struct-size prefix, which
// lives in the SDK (anyserial/sdk/cpp/abi.hpp) so that plugin-check judges a struct exactly
// as the host reads it. Every proxy in core/plugin and every copier in core/device uses
// these, nothing else.
#pragma once

#include <anyserial/sdk/cpp/abi.hpp>

namespace anyserial::plugin_detail {

using sdk::check_prefix;
using sdk::end_of;
using sdk::has_member;

}  // namespace anyserial::plugin_detail
