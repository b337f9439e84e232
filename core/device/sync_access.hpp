// anyserial — core-internal access to a sync::Device's session and loop, for the sync
// Manager, sync::record (core/record/sync.cpp) and the blocking faces.
#pragma once

#include <anyserial/device/sync.hpp>
#include <memory>

#include "sync/shared_loop.hpp"

namespace anyserial::sync::detail {

struct DeviceAccess {
    // The session; touch it on the loop thread only.
    static device::Device &session(sync::Device &d);
    static std::shared_ptr<SharedLoop> loop(const sync::Device &d);
};

}  // namespace anyserial::sync::detail
