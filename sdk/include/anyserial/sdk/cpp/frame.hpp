// anyserial SDK C++ helpers — building what a session hands out: frames (readings,
// fields), results, the channel table. Header-only, C++20, only the SDK's C headers + std.
//
// The ABI wants arrays of pointers to structs whose strings stay valid until the next call
// on the session (threads.h). These builders own all of it and are meant to be kept as
// session members and reused: clear() keeps every capacity, so once a frame of the usual
// size has been built, building the next one allocates nothing.
//
//     sdk::FrameBuilder frame_;                          // member of the session
//
//     frame_.clear();
//     anyserial_reading_t &r = frame_.add_reading("I1");  // zeroed, struct_size set
//     r.value_type = ANYSERIAL_VALUE_NUMBER;
//     r.number = 20.9;
//     r.flags = kFlags.bit("alarm1");
//     r.name = frame_.text("Oxygen");                      // copied, stable until clear()
//     frame_.fields().add_integer("cal_group_count", 4);
//     frame_.fields().add_text("clock", "12:00:01");
//     frame_.header().device_flags = ...;                  // checksum, raw: same way
//     event.frame = &frame_.frame();                       // pointers fixed up here
//
//     sdk::ResultBuilder result_;                          // for result(): frame + fields
//     result_.clear();
//     result_.fields().add_integer("group", 2);
//     result_.fill(out, ANYSERIAL_OP_COMMAND);             // out.frame only if frame() was used
//
//     sdk::ChannelTable &t = channels();                   // ProtocolSession owns one;
//     t.clear();                                           // channel_count/get_channel
//     t.add("I1", "Oxygen", "transducer", "%");            // answer from it. name nullptr =
//     t.add("gas", nullptr, "gas", "", ANYSERIAL_VALUE_TEXT);  // unlabelled
//
// A reference from add_reading()/add_*() is valid until the next add on the same builder;
// the pointers inside the structs handed out are valid until the next clear().
#pragma once

#include <anyserial/sdk/device.h>
#include <anyserial/sdk/protocol.h>
#include <anyserial/sdk/status.h>

#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/error.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial::sdk {

// Strings with stable c_str() until clear(); reused without allocation once warm.
class TextPool {
  public:
    // A NUL-terminated copy of s, valid until clear().
    const char *keep(std::string_view s) {
        if (used_ == slots_.size()) slots_.push_back(std::make_unique<std::string>());
        std::string &slot = *slots_[used_++];
        slot.assign(s.data(), s.size());
        return slot.c_str();
    }
    void clear() noexcept { used_ = 0; }

  private:
    // unique_ptr: a slot's string object never moves when the vector grows.
    std::vector<std::unique_ptr<std::string>> slots_;
    std::size_t used_ = 0;
};

// A list of named values (anyserial_field_t) and its pointer array.
class FieldList {
  public:
    void clear() noexcept {
        fields_.clear();
        texts_.clear();
    }
    anyserial_field_t &add_integer(std::string_view id, double v, const char *unit = nullptr) {
        return add(id, ANYSERIAL_VALUE_INTEGER, v, nullptr, unit);
    }
    anyserial_field_t &add_number(std::string_view id, double v, const char *unit = nullptr) {
        return add(id, ANYSERIAL_VALUE_NUMBER, v, nullptr, unit);
    }
    anyserial_field_t &add_text(std::string_view id, std::string_view text) {
        return add(id, ANYSERIAL_VALUE_TEXT, 0.0, texts_.keep(text), nullptr);
    }
    anyserial_field_t &add_absent(std::string_view id) {
        return add(id, ANYSERIAL_VALUE_ABSENT, 0.0, nullptr, nullptr);
    }
    // A copy of s valid as long as the fields (for units built at run time).
    const char *text(std::string_view s) { return texts_.keep(s); }

    uint32_t size() const noexcept { return static_cast<uint32_t>(fields_.size()); }
    bool empty() const noexcept { return fields_.empty(); }
    // The ABI list (NULL when empty). Pointers valid until the next add or clear.
    const anyserial_field_t *const *data() {
        ptrs_.clear();
        for (const anyserial_field_t &f : fields_)
            ptrs_.push_back(&f);
        return ptrs_.empty() ? nullptr : ptrs_.data();
    }

  private:
    anyserial_field_t &add(std::string_view id, uint32_t type, double number, const char *text,
                           const char *unit) {
        anyserial_field_t f = init_struct<anyserial_field_t>();
        f.value_type = type;
        f.id = texts_.keep(id);
        f.number = number;
        f.text = text;
        f.unit = unit;
        fields_.push_back(f);
        return fields_.back();
    }

    std::vector<anyserial_field_t> fields_;
    std::vector<const anyserial_field_t *> ptrs_;
    TextPool texts_;
};

// One anyserial_frame_t with its readings, fields, texts and raw bytes.
class FrameBuilder {
  public:
    void clear() noexcept {
        readings_.clear();
        fields_.clear();
        texts_.clear();
        raw_.clear();
        header_ = init_struct<anyserial_frame_t>();
    }
    // A zeroed reading (value ABSENT) of `channel` (copied).
    anyserial_reading_t &add_reading(std::string_view channel) {
        anyserial_reading_t r = init_struct<anyserial_reading_t>();
        r.value_type = ANYSERIAL_VALUE_ABSENT;
        r.channel = texts_.keep(channel);
        readings_.push_back(r);
        return readings_.back();
    }
    // A copy of s valid until clear() (reading names, units and text values).
    const char *text(std::string_view s) { return texts_.keep(s); }
    FieldList &fields() noexcept { return fields_; }
    // Frame-wide members: device_flags, has_checksum, checksum_ok, checksum.
    anyserial_frame_t &header() noexcept { return header_; }
    // Keep a copy of the bytes the frame came from (frame.raw).
    void set_raw(std::span<const uint8_t> raw) { raw_.assign(raw.begin(), raw.end()); }

    uint32_t reading_count() const noexcept { return static_cast<uint32_t>(readings_.size()); }
    anyserial_reading_t &reading(std::size_t i) noexcept { return readings_[i]; }
    bool empty() const noexcept { return readings_.empty() && fields_.empty(); }

    // The finished frame: pointer arrays fixed up. Valid until the next add or clear.
    const anyserial_frame_t &frame() {
        reading_ptrs_.clear();
        for (const anyserial_reading_t &r : readings_)
            reading_ptrs_.push_back(&r);
        header_.struct_size = sizeof(anyserial_frame_t);
        header_.reading_count = reading_count();
        header_.readings = reading_ptrs_.empty() ? nullptr : reading_ptrs_.data();
        header_.field_count = fields_.size();
        header_.fields = fields_.data();
        if (!raw_.empty()) {
            header_.raw = raw_.data();
            header_.raw_len = static_cast<uint32_t>(raw_.size());
        }
        return header_;
    }

  private:
    std::vector<anyserial_reading_t> readings_;
    std::vector<const anyserial_reading_t *> reading_ptrs_;
    FieldList fields_;
    TextPool texts_;
    std::vector<uint8_t> raw_;
    anyserial_frame_t header_ = init_struct<anyserial_frame_t>();
};

// What result() hands out: an optional frame and the result fields.
class ResultBuilder {
  public:
    void clear() noexcept {
        frame_.clear();
        fields_.clear();
        with_frame_ = false;
    }
    // The frame (marks the result as carrying one, even if it stays empty: READ_STATUS
    // sends device flags only).
    FrameBuilder &frame() noexcept {
        with_frame_ = true;
        return frame_;
    }
    FieldList &fields() noexcept { return fields_; }
    // Fill the result struct (op, frame when frame() was used, fields).
    void fill(anyserial_protocol_result_t &out, uint32_t op) {
        out.op = op;
        out.frame = with_frame_ ? &frame_.frame() : nullptr;
        out.field_count = fields_.size();
        out.fields = fields_.data();
    }

  private:
    FrameBuilder frame_;
    FieldList fields_;
    bool with_frame_ = false;
};

// A session's channel table (channel_count / get_channel): owned strings, stable until
// the table changes.
class ChannelTable {
  public:
    void clear() noexcept { used_ = 0; }
    // name nullptr = unlabelled; unit "" = none.
    void add(std::string_view id, const char *name, std::string_view kind, std::string_view unit,
             uint32_t value_type = ANYSERIAL_VALUE_NUMBER) {
        if (used_ == entries_.size()) entries_.push_back(std::make_unique<Entry>());
        Entry &e = *entries_[used_++];
        e.id.assign(id);
        e.labelled = name != nullptr;
        e.name.assign(name != nullptr ? name : "");
        e.kind.assign(kind);
        e.unit.assign(unit);
        e.value_type = value_type;
    }
    uint32_t size() const noexcept { return static_cast<uint32_t>(used_); }
    // Fill *out for index < size(); Error(NOT_FOUND) otherwise.
    void get(uint32_t index, anyserial_channel_info_t &out) const {
        if (index >= used_)
            throw Error(ANYSERIAL_E_NOT_FOUND, "channel index " + std::to_string(index) +
                                                   " out of range (" + std::to_string(used_) +
                                                   " channels)");
        const Entry &e = *entries_[index];
        out.value_type = e.value_type;
        out.id = e.id.c_str();
        out.name = e.labelled ? e.name.c_str() : nullptr;
        out.kind = e.kind.c_str();
        out.unit = e.unit.c_str();
    }
    // Index of a channel id, size() when none.
    uint32_t find(std::string_view id) const noexcept {
        for (std::size_t i = 0; i < used_; ++i)
            if (entries_[i]->id == id) return static_cast<uint32_t>(i);
        return size();
    }

  private:
    struct Entry {
        std::string id, name, kind, unit;
        bool labelled = false;
        uint32_t value_type = ANYSERIAL_VALUE_NUMBER;
    };
    std::vector<std::unique_ptr<Entry>> entries_;
    std::size_t used_ = 0;
};

}  // namespace anyserial::sdk
