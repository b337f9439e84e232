// Alicat serial ASCII: the pure text side (no ABI structs, no I/O). Spec: alicat.md §5-§8.
// Lines handed to these functions have their CR removed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial::alicat {

// ---- tokens and lines ------------------------------------------------------------------

// Split on runs of spaces (§5: columns are right-aligned, so runs of spaces occur).
std::vector<std::string_view> split_spaces(std::string_view line);
// GP units pad with backspace bytes (0x08): strip them.
std::string strip_backspaces(std::string_view line);
// Any byte >= 0x80 makes the line noise (§2).
bool has_high_bytes(std::string_view line) noexcept;
// `?` or `<uid> ?` alone on the line (§5); `A ?whatever` is not a rejection.
bool is_rejection(std::string_view line) noexcept;
// Parse a signed/unsigned decimal column ("+014.62", "0116.3"); false when not a number.
bool parse_number(std::string_view token, double &out) noexcept;
// Unsigned decimal digits only (a unit code, a gas code).
bool all_digits(std::string_view token) noexcept;
// `--` (or any run of dashes) marks an absent value.
bool is_absent_token(std::string_view token) noexcept;

// ---- status mnemonics (§8.3) -----------------------------------------------------------

struct FlagDef {
    const char *id;
    const char *name;
    uint32_t severity;  // ANYSERIAL_SEVERITY_* values: 1 info, 2 warning, 3 fault
};
// Declared order (bit i = i-th): ADC EXH HLD LCK MOV VOV POV TOV OPL OVR TMF P2O COM GTA VTM.
const std::vector<FlagDef> &flag_table();
// Bit index of a mnemonic, or -1.
int flag_bit(std::string_view mnemonic) noexcept;

// ---- the data-frame format: ??D* (§8.1) --------------------------------------------------

enum class Layout { unknown, default_layout, legacy };

struct Column {
    int stat = 0;       // statistic code (DEFAULT), or mapped from the name (LEGACY)
    std::string name;   // as the device prints it, without the `*`
    std::string id;     // snake_case channel id
    bool text = false;  // string column
    bool conditional = false;
    std::string unit;      // unit label ("" when none); backtick -> degree sign
    std::string mnemonic;  // conditional rows: the status mnemonic
};

struct Format {
    Layout layout = Layout::unknown;
    std::vector<Column> columns;  // in frame order; columns[0] is the unit id

    std::size_t non_conditional() const noexcept;
    // Index into columns of the first column with this statistic code, or -1.
    int find_stat(int stat) const noexcept;
    bool has_mnemonic(std::string_view m) const noexcept;
};

// Accumulates the lines of one ??D* reply.
class FormatParser {
  public:
    explicit FormatParser(char uid) : uid_(uid) {}
    // One line (CR removed, backspaces stripped). Returns an error text, empty when fine.
    std::string add_line(std::string_view line);
    std::size_t rows() const noexcept { return format_.columns.size(); }
    bool has_header() const noexcept { return format_.layout != Layout::unknown; }
    // The last row added is a conditional one (`*Error`, `*Status`; LEGACY Error/Status).
    bool last_conditional() const noexcept {
        return !format_.columns.empty() && format_.columns.back().conditional;
    }
    // Check and finish: error text, or empty with *out filled.
    std::string finish(Format &out) const;

  private:
    std::string add_default(const std::vector<std::string_view> &t);
    std::string add_legacy(const std::vector<std::string_view> &t);
    char uid_;
    Format format_;
};

std::string snake_case(std::string_view name);
// Setpoint statistics (34, 36..39, 345): the controlled variable's setpoint column.
bool is_setpoint_stat(int stat) noexcept;
// Canonical channel id of a statistic code ("abs_press" for 2), or "" when unknown.
std::string stat_id(int stat);

// ---- a poll frame (§8.2) -----------------------------------------------------------------

struct Value {
    bool absent = false;
    double number = 0;
    std::string text;
};

struct Decoded {
    char uid = 0;
    std::vector<Value> values;         // one per non-conditional column (incl. the unit id)
    std::vector<std::string> status;   // known mnemonics present
    std::vector<std::string> unknown;  // leftover tokens kept raw
    uint64_t flags = 0;                // bits of `status`
};

enum class FrameError { none, structure, address };

// Decode one frame line. expect_uid 0 = any. In streaming (`@` or a leading space) the id
// slot is replaced by `stream_uid` (0: `@`). Returns the error kind; *why says what.
FrameError decode_frame(std::string_view line, const Format &format, char expect_uid, Decoded &out,
                        std::string *why, bool streaming = false);

// ---- identification (§7) ---------------------------------------------------------------

struct Firmware {
    bool known = false;
    bool gp = false;
    int major = 0, minor = 0;
    std::string text;  // the full version token ("10v20.0-R24", "GP07R100")
    // Compare inside one generation only (units never move between generations).
    bool at_least(int maj, int min) const noexcept {
        return known && !gp && (major > maj || (major == maj && minor >= min));
    }
};
// The first token shaped <digits>v<digits>, or GP...; known=false when none.
Firmware parse_firmware(std::string_view text);

enum class Kind {
    unknown,
    gas_flow_meter,
    gas_flow_controller,
    pressure_meter,
    pressure_controller,
    liquid_meter,
    liquid_controller,
    coda_meter,
    coda_controller
};
Kind kind_from_model(std::string_view model);
bool is_controller(Kind k) noexcept;
bool is_flow(Kind k) noexcept;
const char *kind_name(Kind k) noexcept;

struct Identity {
    std::string manufacturer, model, serial, software;
};
// One ??M* line. Returns the code (0..9; GP 0..8; 1..10 when one_based) or -1 when not an
// M line. one_based: the unit numbers its lines M01..M10 (older documentation).
int apply_m_line(std::string_view line, Identity &id, bool &gp_style, bool one_based = false);

// ---- gases (§9) --------------------------------------------------------------------------

// Short name of a standard gas code, "" when unknown; code of a short name, -1 when unknown.
std::string gas_short_name(int code);
std::string gas_long_name(int code);
int gas_code(std::string_view short_name);

// ---- number formatting (the simulator writes columns to width and decimals) ---------------

// width counts the sign; signed columns always carry one (§5).
std::string format_number(double v, int width, int decimals, bool is_signed);

}  // namespace anyserial::alicat
