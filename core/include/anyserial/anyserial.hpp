// anyserial — the whole public surface in one include.
#pragma once

#include <anyserial/capabilities.hpp>
#include <anyserial/config.hpp>
#include <anyserial/connectable.hpp>
#include <anyserial/device.hpp>
#include <anyserial/device/analyzer.hpp>  // the device faces (faces/*), and their models
#include <anyserial/device/sync.hpp>
#include <anyserial/device/sync_analyzer.hpp>
#include <anyserial/device/transport.hpp>
#include <anyserial/discovery.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/log.hpp>
#include <anyserial/modem_lines.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/record/manager.hpp>
#include <anyserial/record/recorder.hpp>
#include <anyserial/record/stream.hpp>
#include <anyserial/record/sync.hpp>
#include <anyserial/serial_port.hpp>
#include <anyserial/sinks/pump.hpp>
#include <anyserial/sinks/sink.hpp>
#include <anyserial/stats.hpp>
#include <anyserial/sync.hpp>
#include <anyserial/timeout.hpp>
#include <anyserial/version.hpp>
