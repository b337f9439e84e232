// anyserial — core-internal access to a sync::Analyzer's session and loop, for the sync
// Manager and sync::record (core/record/sync.cpp).
#pragma once

#include <anyserial/device/sync.hpp>
#include <memory>

#include "sync/shared_loop.hpp"

namespace anyserial::sync::detail {

struct AnalyzerAccess {
    // The session; touch it on the loop thread only.
    static device::Analyzer &session(sync::Analyzer &a);
    static std::shared_ptr<SharedLoop> loop(const sync::Analyzer &a);
};

}  // namespace anyserial::sync::detail
