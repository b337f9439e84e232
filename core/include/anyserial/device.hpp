// anyserial — the device API: models, errors, the generic Device session, protocol
// resolution, the offline frame decoder, and the simulator runner.
#pragma once

#include <anyserial/device/abi.hpp>
#include <anyserial/device/decoder.hpp>
#include <anyserial/device/errors.hpp>
#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>
#include <anyserial/device/resolve.hpp>
#include <anyserial/device/session.hpp>
#include <anyserial/sim/simulator.hpp>
