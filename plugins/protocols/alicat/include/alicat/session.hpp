// The Alicat protocol session: a sans-I/O state machine over the anyserial.protocol/2 C
// structs (no vtable here: plugin.cpp binds it). One class serves both protocol ids:
// `alicat` (request/response) and `alicat-stream` (broadcast frames of a streaming unit).
#pragma once

#include <anyserial/sdk/protocol.h>

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "alicat/codec.hpp"

namespace anyserial::alicat {

// Declared commands, in this order (plugin.cpp builds the C tables from it).
struct CommandDef {
    const char *id;
    const char *summary;
    uint32_t safety;
};
const std::vector<CommandDef> &command_table();

class Session {
  public:
    Session(bool streaming, const anyserial_protocol_options_t &options);

    // Each returns an ANYSERIAL_* status; the text of a failure is in error().
    int32_t begin(const anyserial_protocol_request_t &req);
    int32_t next_transaction(anyserial_transaction_t &tx);
    // Consumes bytes up to the first event; returns how many. len 0 = end of input (a
    // response that ends on silence).
    uint32_t feed(std::span<const uint8_t> data, anyserial_protocol_event_t &ev);
    void reset_receive();
    int32_t result(anyserial_protocol_result_t &out);
    uint32_t channel_count() const noexcept { return static_cast<uint32_t>(channels_.size()); }
    int32_t get_channel(uint32_t index, anyserial_channel_info_t &out) const;
    const std::string &error() const noexcept { return error_; }

    // State for tests and diagnostics.
    char uid() const noexcept { return uid_; }
    const Format &format() const noexcept { return format_; }
    const Firmware &firmware() const noexcept { return firmware_; }
    Kind kind() const noexcept { return kind_; }

  private:
    enum class Expect { m_table, ve, d_table, frame, probe, ls, gs, ncs, none, plan };
    struct Step {
        Expect expect;
        std::string body;  // after the unit id (`raw` = sent as is)
        bool raw = false;
    };
    struct ChannelStore {
        std::string id, name, kind, unit;
        bool text = false;
    };

    int32_t fail(int32_t status, std::string text);
    int32_t plan_op();  // the op's own steps, once identity and format are known
    int32_t plan_command();
    std::string refusal() const;
    std::string who() const;
    int gas_arg_code() const;
    void add_field_number(const char *id, double v, const std::string &unit, bool integer = false);
    void add_field_text(const char *id, const std::string &text);
    void build_channels();
    void build_frame(const Decoded &d, std::string_view raw);
    uint32_t handle_line(std::string_view line, anyserial_protocol_event_t &ev);
    uint32_t finish_table(anyserial_protocol_event_t &ev);
    uint32_t on_stream_line(std::string_view line, anyserial_protocol_event_t &ev);
    uint32_t on_rejection(const std::vector<std::string_view> &t, const std::string &clean,
                          anyserial_protocol_event_t &ev);
    uint32_t on_m_line(std::string_view line, anyserial_protocol_event_t &ev);
    uint32_t on_frame(std::string_view line, anyserial_protocol_event_t &ev);
    uint32_t on_short_reply(Expect expect, const std::vector<std::string_view> &t,
                            const std::string &clean, anyserial_protocol_event_t &ev);
    std::size_t value_index(int column) const noexcept;  // column -> index in Decoded::values
    uint32_t bad(anyserial_protocol_event_t &ev, uint32_t reason, std::string text);
    uint32_t response(anyserial_protocol_event_t &ev);
    void choose_stream_format(std::string_view line);
    int setpoint_column() const noexcept;

    bool streaming_protocol_;
    char uid_ = 'A';
    uint64_t line_timeout_ns_, table_timeout_ns_;
    uint32_t retries_;

    // what we know of the device
    Identity identity_;
    bool m_done_ = false;
    int m_first_ = -1;  // code of the first ??M* line (1: numbered M01..M10)
    Firmware firmware_;
    bool ve_done_ = false;
    Kind kind_ = Kind::unknown;
    Format format_;
    bool have_format_ = false;
    bool drain_ = false;           // the next request waits out the rest of a ??D* table
    bool unit_streaming_ = false;  // we started streaming: only streaming.stop goes out
    std::vector<ChannelStore> channels_;

    // the operation
    anyserial_protocol_request_t req_{};
    std::string command_;
    std::vector<anyserial_arg_value_t> args_;
    std::vector<std::string> arg_texts_;
    std::deque<Step> steps_;
    bool step_sent_ = false;
    bool step_done_ = false;
    bool active_ = false;
    bool done_ = false;  // an operation finished: result() has something to give
    std::string tx_bytes_;
    FormatParser table_{'A'};

    // receive
    std::string line_;
    std::string event_text_;
    std::string event_raw_;

    // result storage (valid until the next call that changes it)
    struct FieldStore {
        std::string id, text, unit;
        uint32_t type;
        double number;
    };
    std::vector<FieldStore> field_store_;
    std::vector<anyserial_field_t> fields_;
    std::vector<const anyserial_field_t *> field_ptrs_;
    struct ReadingStore {
        std::string channel, text;
        uint32_t type;
        double number;
        uint64_t flags;
    };
    std::vector<ReadingStore> reading_store_;
    std::vector<anyserial_reading_t> readings_;
    std::vector<const anyserial_reading_t *> reading_ptrs_;
    anyserial_frame_t frame_{};
    anyserial_frame_t event_frame_{};
    std::string frame_raw_;
    std::string unknown_status_;
    anyserial_field_t unknown_field_{};
    const anyserial_field_t *unknown_field_ptr_ = nullptr;
    bool have_frame_ = false;
    std::string error_;
};

// A request body's number as the device reads it ("20", "1.25", "-0.5").
std::string format_arg(double v);

}  // namespace anyserial::alicat
