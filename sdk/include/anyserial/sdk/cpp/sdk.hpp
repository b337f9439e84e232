// anyserial SDK C++ helpers — everything at once (plugin, errors, backend, device
// declarations, frames, protocol, simulator). Plugin authors link anyserial::sdk only; these
// headers need C++20 and std.
#pragma once

#include <anyserial/sdk/sdk.h>

#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/backend.hpp>
#include <anyserial/sdk/cpp/device.hpp>
#include <anyserial/sdk/cpp/error.hpp>
#include <anyserial/sdk/cpp/frame.hpp>
#include <anyserial/sdk/cpp/plugin.hpp>
#include <anyserial/sdk/cpp/protocol.hpp>
#include <anyserial/sdk/cpp/simulator.hpp>
