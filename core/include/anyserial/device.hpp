// anyserial — the analyser (device) API: models, errors, the Analyzer session, the
// offline frame decoder, and the simulator runner.
#pragma once

#include <anyserial/device/abi.hpp>
#include <anyserial/device/analyzer.hpp>
#include <anyserial/device/decoder.hpp>
#include <anyserial/device/errors.hpp>
#include <anyserial/device/models.hpp>
#include <anyserial/device/options.hpp>
#include <anyserial/sim/simulator.hpp>
