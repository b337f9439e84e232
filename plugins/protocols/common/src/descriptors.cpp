#include "anyserial/servomex/descriptors.hpp"

#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/device.hpp>

#include "anyserial/servomex/registry.hpp"
#include "anyserial/servomex/status.hpp"

namespace anyserial::servomex {

namespace {

constexpr sdk::Table kGroupArg{sdk::arg_integer("group", "cal-group 1..4", 1, kCalGroupCount)};
constexpr sdk::Table kCommands{
    sdk::command(ANYSERIAL_SAFETY_STATE_CHANGING, kCmdCalibrationStart,
                 "Start autocalibration of a cal-group (pulses its coil)", kGroupArg),
    sdk::command(ANYSERIAL_SAFETY_STATE_CHANGING, kCmdCalibrationStop,
                 "Stop autocalibration of every cal-group"),
    sdk::command(ANYSERIAL_SAFETY_READ_ONLY, kCmdCalibrationStatus,
                 "Read a cal-group's calibration state: group, active (0/1), phase "
                 "(idle|gas1|gas2)",
                 kGroupArg),
};
constexpr anyserial_address_syntax_t kModbusAddress =
    sdk::address_integer(1, 247, "1", "Modbus slave id 1..247");

// Observed and default on the 4100: 19200 8N1, no flow control.
anyserial_serial_config_t default_serial() noexcept {
    auto c = sdk::init_struct<anyserial_serial_config_t>();
    c.baudrate = 19200;
    c.byte_size = 8;
    c.parity = ANYSERIAL_PARITY_NONE;
    c.stop_bits = ANYSERIAL_STOP_BITS_ONE;
    c.flow_control = 0;
    c.rs485 = sdk::init_struct<anyserial_rs485_config_t>();
    return c;
}

anyserial_protocol_descriptor_t make(Mode mode) noexcept {
    auto d = sdk::init_struct<anyserial_protocol_descriptor_t>();
    d.vendor = "anyserial";
    d.version = "0.1.0";
    d.device_family = kDeviceFamily;
    static const anyserial_serial_config_t serial = default_serial();
    d.default_serial = &serial;
    const uint32_t all = ANYSERIAL_PCAP_READ_FRAME | ANYSERIAL_PCAP_READ_STATUS |
                         ANYSERIAL_PCAP_IDENTIFY | ANYSERIAL_PCAP_PROBE;
    switch (mode) {
        case Mode::continuous:
            d.id = "servomex-continuous";
            d.name = "Servomex 4100 continuous ASCII";
            d.description =
                "SERVOPRO 4000-series continuous ASCII mode: a checksummed frame of every "
                "channel broadcast every few seconds; read-only";
            d.mode = "continuous";
            d.traffic = ANYSERIAL_TRAFFIC_BROADCAST;
            // begin() refuses every operation: the host reads the broadcast (protocol.h)
            d.capabilities = 0;
            sdk::declare(d, kFlags);  // no commands, no address (NULL)
            d.probe_kind = ANYSERIAL_PROBE_PASSIVE;
            d.probe_rank = 30;
            d.frame_interval_ns = 2'000'000'000;
            break;
        case Mode::modbus_rtu:
            d.id = "servomex-modbus-rtu";
            d.name = "Servomex 4100 Modbus RTU";
            d.description =
                "SERVOPRO 4000-series Modbus RTU slave: channels, status and autocalibration "
                "over FC01/02/04/05/08/15 with CRC-16 framing";
            d.mode = "modbus-rtu";
            d.traffic = ANYSERIAL_TRAFFIC_REQUEST_RESPONSE;
            d.capabilities = all;
            d.probe_kind = ANYSERIAL_PROBE_ACTIVE;
            d.probe_rank = 10;
            d.address = &kModbusAddress;
            sdk::declare(d, kFlags, kCommands);
            break;
        case Mode::modbus_ascii:
            d.id = "servomex-modbus-ascii";
            d.name = "Servomex 4100 Modbus ASCII";
            d.description =
                "SERVOPRO 4000-series Modbus ASCII slave: channels, status and autocalibration "
                "over FC01/02/04/05/08/15 with ':'-hex-LRC framing";
            d.mode = "modbus-ascii";
            d.traffic = ANYSERIAL_TRAFFIC_REQUEST_RESPONSE;
            d.capabilities = all;
            d.probe_kind = ANYSERIAL_PROBE_ACTIVE;
            d.probe_rank = 20;
            d.address = &kModbusAddress;
            sdk::declare(d, kFlags, kCommands);
            break;
    }
    return d;
}

}  // namespace

const anyserial_protocol_descriptor_t &descriptor(Mode mode) noexcept {
    static const anyserial_protocol_descriptor_t all[3] = {
        make(Mode::continuous), make(Mode::modbus_rtu), make(Mode::modbus_ascii)};
    return all[static_cast<int>(mode)];
}

}  // namespace anyserial::servomex
