// anyserial SDK C++ helpers — declaring a device (flags, commands, arguments, address
// syntax) as static tables, and reading a request's arguments back. Header-only, C++20,
// only the SDK's C headers + std.
//
// The descriptor's lists are arrays of pointers (device.h). sdk::Table holds the structs
// and the pointer array side by side, both constant-initialised, so a plugin declares its
// device at namespace scope with no code run at load time:
//
//     namespace sdk = anyserial::sdk;
//     constexpr sdk::Table kFlags{
//         sdk::flag(ANYSERIAL_SEVERITY_FAULT, "fault", "Fault"),           // bit 0
//         sdk::flag(ANYSERIAL_SEVERITY_WARNING, "alarm1", "Alarm 1"),      // bit 1
//     };
//     constexpr sdk::Table kSetArgs{
//         sdk::arg_number("value", "new setpoint", 0.0, 100.0, "SLPM"),
//     };
//     constexpr sdk::Table kGasChoices{"Air", "Ar", "N2"};               // const char *s
//     constexpr sdk::Table kGasArgs{sdk::arg_choice("gas", "gas short name", kGasChoices)};
//     constexpr sdk::Table kCommands{
//         sdk::command(ANYSERIAL_SAFETY_STATE_CHANGING, "setpoint.set", "Set the setpoint",
//                      kSetArgs),
//         sdk::command(ANYSERIAL_SAFETY_READ_ONLY, "setpoint.get", "Read the setpoint"),
//     };
//     constexpr anyserial_address_syntax_t kAddress =
//         sdk::address_letter('A', 'Z', "A", "unit id A..Z");
//
//     // in describe(): d.flags = kFlags.data(); d.flag_count = kFlags.size(); ...
//     // sdk::declare(d, kFlags, kCommands) does both lists at once.
//     constexpr uint64_t kAlarm1 = kFlags.bit("alarm1");              // 1 << index, at compile
//     time
//
// In begin(): find the command and check the request against its declaration (the core has
// checked already; a plugin re-checks so a bad call can never reach the wire):
//
//     if (req.op == ANYSERIAL_OP_COMMAND) {
//         const anyserial_command_info_t &cmd = sdk::find_command(describe(), req);  // or throws
//         sdk::check_args(cmd, req);                         // INVALID_ARGUMENT on mismatch
//         const double v = sdk::arg(req, 0).number;          // args in declared order
//     }
//
// and the session's address: `uint32_t a = sdk::parse_address(*d.address, opts.address);`
// (NULL text = the declared default; INVALID_ARGUMENT naming the syntax otherwise).
#pragma once

#include <anyserial/sdk/device.h>
#include <anyserial/sdk/protocol.h>
#include <anyserial/sdk/status.h>

#include <anyserial/sdk/cpp/abi.hpp>
#include <anyserial/sdk/cpp/error.hpp>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace anyserial::sdk {

// ---- static tables ------------------------------------------------------------------

// N structs (or strings) and the array of N pointers to them that the ABI's lists want.
// Not copyable (the pointers point into the table itself): declare it `constexpr` (or
// `static const`) where it lives for good, and hand out data().
template <class T, std::size_t N>
class Table {
  public:
    using pointer = std::conditional_t<std::is_pointer_v<T>, T, const T *>;

    template <class... U>
    constexpr Table(const U &...items) noexcept : items_{static_cast<T>(items)...} {  // NOLINT
        static_assert(sizeof...(U) == N, "a Table lists exactly N entries");
        for (std::size_t i = 0; i < N; ++i)
            ptrs_[i] = ptr(items_[i]);
    }
    Table(const Table &) = delete;
    Table &operator=(const Table &) = delete;

    constexpr uint32_t size() const noexcept { return static_cast<uint32_t>(N); }
    // The ABI list: `const T *const *` (for a table of strings, `const char *const *`).
    constexpr const pointer *data() const noexcept { return ptrs_.data(); }
    constexpr const T &operator[](std::size_t i) const noexcept { return items_[i]; }
    constexpr const T *begin() const noexcept { return items_.data(); }
    constexpr const T *end() const noexcept { return items_.data() + N; }

    // Index of the entry whose id is `id` (flags, commands, args), N when none. A
    // compile-time lookup when used in a constant expression.
    constexpr std::size_t index_of(std::string_view id) const noexcept {
        for (std::size_t i = 0; i < N; ++i)
            if (id_of(items_[i]) == id) return i;
        return N;
    }
    // The flag bit of a declared flag id (0 when not declared: a compile error in a
    // constexpr context is nicer, so pair it with static_assert(has(id)) where it matters).
    constexpr uint64_t bit(std::string_view id) const noexcept {
        const std::size_t i = index_of(id);
        return i < N && i < 64 ? uint64_t{1} << i : 0;
    }
    constexpr bool has(std::string_view id) const noexcept { return index_of(id) < N; }

  private:
    static constexpr pointer ptr(const T &item) noexcept {
        if constexpr (std::is_pointer_v<T>)
            return item;
        else
            return &item;
    }
    static constexpr std::string_view id_of(const T &item) noexcept {
        if constexpr (std::is_pointer_v<T>)
            return item != nullptr ? std::string_view(item) : std::string_view();
        else
            return item.id != nullptr ? std::string_view(item.id) : std::string_view();
    }

    std::array<T, N> items_;
    std::array<pointer, N> ptrs_{};
};

template <class T, class... U>
Table(const T &, const U &...) -> Table<std::decay_t<T>, 1 + sizeof...(U)>;
// Strings: `Table{"Air", "Ar"}` is a table of const char *.
template <std::size_t M, class... U>
Table(const char (&)[M], const U &...) -> Table<const char *, 1 + sizeof...(U)>;

// ---- declarations -------------------------------------------------------------------

// A declared status flag. Its bit in every flag set is its index in the flag table.
constexpr anyserial_flag_info_t flag(uint32_t severity, const char *id, const char *name,
                                     const char *description = nullptr) noexcept {
    return {sizeof(anyserial_flag_info_t), severity, id, name, description};
}

// Arguments. A range is inclusive; unit may be NULL.
constexpr anyserial_arg_info_t arg_integer(const char *id, const char *summary, double min,
                                           double max, const char *unit = nullptr,
                                           bool optional = false) noexcept {
    return {sizeof(anyserial_arg_info_t),
            ANYSERIAL_VALUE_INTEGER,
            id,
            summary,
            unit,
            optional,
            true,
            {},
            0,
            min,
            max,
            nullptr,
            0,
            0};
}
constexpr anyserial_arg_info_t arg_number(const char *id, const char *summary, double min,
                                          double max, const char *unit = nullptr,
                                          bool optional = false) noexcept {
    return {sizeof(anyserial_arg_info_t),
            ANYSERIAL_VALUE_NUMBER,
            id,
            summary,
            unit,
            optional,
            true,
            {},
            0,
            min,
            max,
            nullptr,
            0,
            0};
}
// A number without a range (the device decides, e.g. a setpoint whose range is per model).
constexpr anyserial_arg_info_t arg_number_free(const char *id, const char *summary,
                                               const char *unit = nullptr,
                                               bool optional = false) noexcept {
    return {sizeof(anyserial_arg_info_t),
            ANYSERIAL_VALUE_NUMBER,
            id,
            summary,
            unit,
            optional,
            false,
            {},
            0,
            0.0,
            0.0,
            nullptr,
            0,
            0};
}
// Free text of at most max_length bytes (0 = no limit).
constexpr anyserial_arg_info_t arg_text(const char *id, const char *summary,
                                        uint32_t max_length = 0, bool optional = false) noexcept {
    return {sizeof(anyserial_arg_info_t),
            ANYSERIAL_VALUE_TEXT,
            id,
            summary,
            nullptr,
            optional,
            false,
            {},
            0,
            0.0,
            0.0,
            nullptr,
            max_length,
            0};
}
// Text that must be one of `choices` (a Table of strings).
template <std::size_t N>
constexpr anyserial_arg_info_t arg_choice(const char *id, const char *summary,
                                          const Table<const char *, N> &choices,
                                          bool optional = false) noexcept {
    return {sizeof(anyserial_arg_info_t),
            ANYSERIAL_VALUE_TEXT,
            id,
            summary,
            nullptr,
            optional,
            false,
            {},
            choices.size(),
            0.0,
            0.0,
            choices.data(),
            0,
            0};
}

// A command with arguments (a Table of anyserial_arg_info_t), or without.
template <std::size_t N>
constexpr anyserial_command_info_t command(uint32_t safety, const char *id, const char *summary,
                                           const Table<anyserial_arg_info_t, N> &args) noexcept {
    return {sizeof(anyserial_command_info_t), safety, id, summary, args.size(), 0, args.data()};
}
constexpr anyserial_command_info_t command(uint32_t safety, const char *id,
                                           const char *summary) noexcept {
    return {sizeof(anyserial_command_info_t), safety, id, summary, 0, 0, nullptr};
}

// Address syntaxes.
constexpr anyserial_address_syntax_t address_integer(uint32_t min, uint32_t max,
                                                     const char *default_address,
                                                     const char *description) noexcept {
    return {sizeof(anyserial_address_syntax_t),
            ANYSERIAL_ADDRESS_INTEGER,
            min,
            max,
            default_address,
            description};
}
constexpr anyserial_address_syntax_t address_letter(char min, char max, const char *default_address,
                                                    const char *description) noexcept {
    return {
        sizeof(anyserial_address_syntax_t), ANYSERIAL_ADDRESS_LETTER, static_cast<uint32_t>(min),
        static_cast<uint32_t>(max),         default_address,          description};
}

// Put the flag and command tables into a descriptor.
template <std::size_t F, std::size_t C>
constexpr void declare(anyserial_protocol_descriptor_t &d,
                       const Table<anyserial_flag_info_t, F> &flags,
                       const Table<anyserial_command_info_t, C> &commands) noexcept {
    d.flag_count = flags.size();
    d.flags = flags.data();
    d.command_count = commands.size();
    d.commands = commands.data();
}
template <std::size_t F>
constexpr void declare(anyserial_protocol_descriptor_t &d,
                       const Table<anyserial_flag_info_t, F> &flags) noexcept {
    d.flag_count = flags.size();
    d.flags = flags.data();
    d.command_count = 0;
    d.commands = nullptr;
}

// ---- addresses ----------------------------------------------------------------------

// The value of an address text under a syntax: the number (INTEGER) or the upper-case
// character code (LETTER). NULL or "" gives the declared default. Throws
// Error(INVALID_ARGUMENT) naming the syntax's description. Kind NONE: always 0.
inline uint32_t parse_address(const anyserial_address_syntax_t &syntax, const char *text) {
    if (syntax.kind == ANYSERIAL_ADDRESS_NONE) return 0;
    std::string_view t = text != nullptr ? std::string_view(text) : std::string_view();
    if (t.empty()) t = syntax.default_address != nullptr ? syntax.default_address : "";
    const std::string what = syntax.description != nullptr ? syntax.description : "address";
    auto bad = [&]() -> Error {
        return Error(ANYSERIAL_E_INVALID_ARGUMENT,
                     "address '" + std::string(t) + "' is not valid: " + what);
    };
    if (syntax.kind == ANYSERIAL_ADDRESS_INTEGER) {
        if (t.empty() || t.size() > 9) throw bad();
        uint32_t v = 0;
        for (char c : t) {
            if (c < '0' || c > '9') throw bad();
            v = v * 10 + static_cast<uint32_t>(c - '0');
        }
        if (v < syntax.min || v > syntax.max) throw bad();
        return v;
    }
    if (syntax.kind == ANYSERIAL_ADDRESS_LETTER) {
        if (t.size() != 1) throw bad();
        char c = t[0];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        const auto v = static_cast<uint32_t>(static_cast<unsigned char>(c));
        if (c < 'A' || c > 'Z' || v < syntax.min || v > syntax.max) throw bad();
        return v;
    }
    throw Error(ANYSERIAL_E_INVALID_ARGUMENT, "unknown address syntax kind");
}

// ---- requests -----------------------------------------------------------------------

// Argument i of a request (a full-size local copy; ABSENT when not given).
inline anyserial_arg_value_t arg(const anyserial_protocol_request_t &req, uint32_t i) noexcept {
    if (i >= req.arg_count || req.args == nullptr || req.args[i] == nullptr) {
        anyserial_arg_value_t v = init_struct<anyserial_arg_value_t>();
        v.value_type = ANYSERIAL_VALUE_ABSENT;
        return v;
    }
    return read_struct(req.args[i]);
}

// Whether the request is OP_COMMAND for this command id.
inline bool is_command(const anyserial_protocol_request_t &req, std::string_view id) noexcept {
    return req.op == ANYSERIAL_OP_COMMAND && req.command != nullptr && id == req.command;
}

// The declared command a request names. Throws Error(NOT_SUPPORTED) for an unknown id.
inline const anyserial_command_info_t &find_command(const anyserial_protocol_descriptor_t &d,
                                                    const anyserial_protocol_request_t &req) {
    const std::string_view id = req.command != nullptr ? req.command : "";
    for (uint32_t i = 0; i < d.command_count && d.commands != nullptr; ++i)
        if (d.commands[i] != nullptr && d.commands[i]->id != nullptr && id == d.commands[i]->id)
            return *d.commands[i];
    throw Error(ANYSERIAL_E_NOT_SUPPORTED, std::string(d.id != nullptr ? d.id : "protocol") +
                                               ": no command '" + std::string(id) + "'");
}

// Check one value against its declaration; "" when fine, else why not.
inline std::string arg_problem(const anyserial_arg_info_t &a, const anyserial_arg_value_t &v) {
    const std::string name = std::string("argument '") + (a.id != nullptr ? a.id : "?") + "'";
    if (v.value_type == ANYSERIAL_VALUE_ABSENT)
        return a.optional ? std::string() : name + " is missing";
    const bool numeric_decl =
        a.value_type == ANYSERIAL_VALUE_NUMBER || a.value_type == ANYSERIAL_VALUE_INTEGER;
    const bool numeric_value =
        v.value_type == ANYSERIAL_VALUE_NUMBER || v.value_type == ANYSERIAL_VALUE_INTEGER;
    if (numeric_decl) {
        if (!numeric_value || !std::isfinite(v.number)) return name + " must be a number";
        if (a.value_type == ANYSERIAL_VALUE_INTEGER && std::floor(v.number) != v.number)
            return name + " must be a whole number";
        if (a.has_range && (v.number < a.min || v.number > a.max)) {
            auto num = [](double x) {
                std::string s = std::to_string(x);
                while (!s.empty() && s.back() == '0')
                    s.pop_back();
                if (!s.empty() && s.back() == '.') s.pop_back();
                return s;
            };
            return name + " " + num(v.number) + " is outside " + num(a.min) + ".." + num(a.max);
        }
        return {};
    }
    if (v.value_type != ANYSERIAL_VALUE_TEXT || v.text == nullptr) return name + " must be text";
    const std::string_view t(v.text);
    if (a.max_length != 0 && t.size() > a.max_length) return name + " is too long";
    if (a.choice_count == 0) return {};
    for (uint32_t i = 0; i < a.choice_count && a.choices != nullptr; ++i)
        if (a.choices[i] != nullptr && t == a.choices[i]) return {};
    return name + " '" + std::string(t) + "' is not one of the declared choices";
}

// Check a request's arguments against the command's declaration. Throws
// Error(INVALID_ARGUMENT, "<command>: argument 'group' 5 is outside 1..4").
inline void check_args(const anyserial_command_info_t &cmd,
                       const anyserial_protocol_request_t &req) {
    const std::string id = cmd.id != nullptr ? cmd.id : "command";
    if (req.arg_count > cmd.arg_count)
        throw Error(ANYSERIAL_E_INVALID_ARGUMENT, id + ": " + std::to_string(req.arg_count) +
                                                      " arguments given, " +
                                                      std::to_string(cmd.arg_count) + " declared");
    for (uint32_t i = 0; i < cmd.arg_count; ++i) {
        const std::string why = arg_problem(read_struct(cmd.args[i]), arg(req, i));
        if (!why.empty()) throw Error(ANYSERIAL_E_INVALID_ARGUMENT, id + ": " + why);
    }
}

// ---- values -------------------------------------------------------------------------

inline anyserial_arg_value_t integer_value(double v) noexcept {
    anyserial_arg_value_t a = init_struct<anyserial_arg_value_t>();
    a.value_type = ANYSERIAL_VALUE_INTEGER;
    a.number = v;
    return a;
}
inline anyserial_arg_value_t number_value(double v) noexcept {
    anyserial_arg_value_t a = init_struct<anyserial_arg_value_t>();
    a.value_type = ANYSERIAL_VALUE_NUMBER;
    a.number = v;
    return a;
}
inline anyserial_arg_value_t text_value(const char *t) noexcept {
    anyserial_arg_value_t a = init_struct<anyserial_arg_value_t>();
    a.value_type = ANYSERIAL_VALUE_TEXT;
    a.text = t;
    return a;
}
inline anyserial_arg_value_t absent_value() noexcept {
    return init_struct<anyserial_arg_value_t>();  // ABSENT is 0
}

}  // namespace anyserial::sdk
