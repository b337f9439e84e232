#include "anyserial/servomex/descriptors.hpp"

#include <anyserial/sdk/cpp/abi.hpp>

namespace anyserial::servomex {

namespace {

anyserial_protocol_descriptor_t make(Mode mode) noexcept {
    auto d = sdk::init_struct<anyserial_protocol_descriptor_t>();
    d.vendor = "anyserial";
    d.version = "0.1.0";
    d.device_family = kDeviceFamily;
    // Observed and default on the 4100: 19200 8N1, no flow control.
    d.default_serial = sdk::init_struct<anyserial_serial_config_t>();
    d.default_serial.baudrate = 19200;
    d.default_serial.byte_size = 8;
    d.default_serial.parity = ANYSERIAL_PARITY_NONE;
    d.default_serial.stop_bits = ANYSERIAL_STOP_BITS_ONE;
    d.default_serial.flow_control = 0;
    d.default_serial.rs485 = sdk::init_struct<anyserial_rs485_config_t>();
    const uint32_t all = ANYSERIAL_PCAP_READ_CHANNELS | ANYSERIAL_PCAP_READ_STATUS |
                         ANYSERIAL_PCAP_IDENTIFY | ANYSERIAL_PCAP_AUTOCAL | ANYSERIAL_PCAP_LOOPBACK;
    switch (mode) {
        case Mode::continuous:
            d.id = "servomex-continuous";
            d.name = "Servomex 4100 continuous ASCII";
            d.description =
                "SERVOPRO 4000-series continuous ASCII mode: a checksummed frame of every "
                "channel broadcast every few seconds; read-only";
            d.mode = "continuous";
            d.traffic = ANYSERIAL_TRAFFIC_BROADCAST;
            d.capabilities =
                ANYSERIAL_PCAP_READ_CHANNELS | ANYSERIAL_PCAP_READ_STATUS | ANYSERIAL_PCAP_IDENTIFY;
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
            d.min_address = 1;
            d.max_address = 247;
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
            d.min_address = 1;
            d.max_address = 247;
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
