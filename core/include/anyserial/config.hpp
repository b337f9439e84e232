// anyserial — serial configuration: immutable, validated values (seed §8).
//
//     anyserial::SerialConfig cfg({.baudrate = 9600, .parity = anyserial::Parity::even});
//     auto fast = cfg.with_baudrate(921600).with_low_latency(true);
//
// Construction validates and throws ConfigurationError (errc::invalid_configuration) naming
// the offending field; SerialConfig::validate() is the non-throwing check.
#pragma once

#include <anyserial/sdk/serial_config.h>

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anyserial {

enum class ByteSize { five = 5, six = 6, seven = 7, eight = 8 };
enum class Parity { none, odd, even, mark, space };
enum class StopBits { one, one_point_five, two };
// Governs optional features only; invalid configurations always fail (seed §9.1).
enum class UnsupportedPolicy { raise, warn, ignore };

// Independent modes; some combinations are impossible and rejected by validation.
struct FlowControl {
    bool xon_xoff = false;
    bool rts_cts = false;
    bool dtr_dsr = false;
    static constexpr FlowControl none() noexcept { return {}; }
    bool operator==(const FlowControl &) const = default;
};

struct RS485Config {
    bool enabled = true;
    bool rts_on_send = true;
    bool rts_after_send = false;
    std::chrono::microseconds delay_before_send{0};
    std::chrono::microseconds delay_after_send{0};
    bool rx_during_tx = false;
    bool operator==(const RS485Config &) const = default;
};

// The plain fields; SerialConfig is the validated, immutable wrapper around them.
struct SerialSettings {
    std::uint32_t baudrate = 115200;
    ByteSize byte_size = ByteSize::eight;
    Parity parity = Parity::none;
    StopBits stop_bits = StopBits::one;
    FlowControl flow_control{};
    bool exclusive = false;
    bool hangup_on_close = true;
    bool low_latency = false;
    std::uint32_t read_chunk_size = 65536;
    std::optional<RS485Config> rs485{};
    UnsupportedPolicy unsupported_policy = UnsupportedPolicy::raise;
    bool collect_stats = false;  // SerialStats counters; zero cost when off
    bool operator==(const SerialSettings &) const = default;
};

class SerialConfig {
  public:
    static constexpr std::uint32_t min_read_chunk_size = 64;
    static constexpr std::uint32_t max_read_chunk_size = 16u * 1024u * 1024u;

    SerialConfig() = default;  // 115200 8N1, no flow control: always valid
    // Throws ConfigurationError naming the field when the settings are invalid.
    explicit SerialConfig(const SerialSettings &settings);

    // Non-throwing validation: errc::invalid_configuration with *why naming the field.
    static boost::system::error_code validate(const SerialSettings &settings,
                                              std::string *why = nullptr);

    const SerialSettings &settings() const noexcept { return s_; }
    std::uint32_t baudrate() const noexcept { return s_.baudrate; }
    ByteSize byte_size() const noexcept { return s_.byte_size; }
    Parity parity() const noexcept { return s_.parity; }
    StopBits stop_bits() const noexcept { return s_.stop_bits; }
    const FlowControl &flow_control() const noexcept { return s_.flow_control; }
    bool exclusive() const noexcept { return s_.exclusive; }
    bool hangup_on_close() const noexcept { return s_.hangup_on_close; }
    bool low_latency() const noexcept { return s_.low_latency; }
    std::uint32_t read_chunk_size() const noexcept { return s_.read_chunk_size; }
    const std::optional<RS485Config> &rs485() const noexcept { return s_.rs485; }
    UnsupportedPolicy unsupported_policy() const noexcept { return s_.unsupported_policy; }
    bool collect_stats() const noexcept { return s_.collect_stats; }

    // Changed, re-validated copies.
    SerialConfig with_baudrate(std::uint32_t v) const;
    SerialConfig with_byte_size(ByteSize v) const;
    SerialConfig with_parity(Parity v) const;
    SerialConfig with_stop_bits(StopBits v) const;
    SerialConfig with_flow_control(FlowControl v) const;
    SerialConfig with_exclusive(bool v) const;
    SerialConfig with_hangup_on_close(bool v) const;
    SerialConfig with_low_latency(bool v) const;
    SerialConfig with_read_chunk_size(std::uint32_t v) const;
    SerialConfig with_rs485(std::optional<RS485Config> v) const;
    SerialConfig with_unsupported_policy(UnsupportedPolicy v) const;
    SerialConfig with_collect_stats(bool v) const;

    // The ABI form handed to backends.
    anyserial_serial_config_t to_c() const noexcept;
    // "115200 8N1" plus flow control, for logs and CLI output.
    std::string describe() const;

    bool operator==(const SerialConfig &) const = default;

  private:
    SerialSettings s_{};
};

std::string_view to_string(Parity p) noexcept;
std::string_view to_string(StopBits s) noexcept;
std::string_view to_string(UnsupportedPolicy p) noexcept;
std::optional<Parity> parse_parity(std::string_view s) noexcept;
std::optional<StopBits> parse_stop_bits(std::string_view s) noexcept;

}  // namespace anyserial
