// anyserial CLI — strict option values (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace po = boost::program_options;

namespace anyserial::cli {
namespace detail {
namespace {

// "--baud must be a whole number 1..16000000, not '-1'": the option's name is filled in by
// Boost.ProgramOptions when store() rethrows.
[[noreturn]] void refuse(const std::string &word, const std::string &expected) {
    po::error_with_option_name e("%canonical_option% must be " + expected + ", not '%value%'");
    e.set_substitute("value", word);
    throw e;
}

}  // namespace

std::uintmax_t parse_whole(const std::string &word, std::uintmax_t lo, std::uintmax_t hi) {
    const std::string expected = fmt::format("a whole number {}..{}", lo, hi);
    std::uintmax_t v = 0;
    // Digits only: from_chars takes no sign and no blanks, and reports overflow.
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
    if (word.empty() || ec != std::errc{} || end != word.data() + word.size() || v < lo || v > hi)
        refuse(word, expected);
    return v;
}

double parse_real(const std::string &word, double lo, double hi, bool lo_inclusive) {
    const std::string expected =
        fmt::format("a number {} {:.12g} and at most {:.12g}", lo_inclusive ? ">=" : ">", lo, hi);
    double v = 0;
    const char *first = word.data();
    if (!word.empty() && *first == '+') ++first;  // from_chars refuses a leading '+'
    const auto [end, ec] = std::from_chars(first, word.data() + word.size(), v);
    const bool in_range = lo_inclusive ? v >= lo : v > lo;
    // std::isfinite refuses "inf" and "nan", which from_chars accepts.
    if (word.empty() || ec != std::errc{} || end != word.data() + word.size() ||
        !std::isfinite(v) || !in_range || v > hi)
        refuse(word, expected);
    return v;
}

void Real::xparse(boost::any &v, const std::vector<std::string> &words) const {
    po::validators::check_first_occurrence(v);
    v = parse_real(po::validators::get_single_string(words), lo_, hi_, lo_inclusive_);
}

}  // namespace detail

po::typed_value<double> *real_value(double lo, double hi, bool lo_inclusive, double *store) {
    return new detail::Real(store, lo, hi, lo_inclusive);
}

po::typed_value<std::uint32_t> *baud_value(std::uint32_t *store) {
    return whole_value<std::uint32_t>(1, max_baud, store)->value_name("B");
}

po::typed_value<double> *rate_value(double *store) {
    return real_value(0, max_rate_hz, false, store)->value_name("HZ");
}

po::typed_value<double> *duration_value(double *store) {
    return real_value(0, max_duration_s, false, store)->value_name("S");
}

po::typed_value<double> *timeout_value(double *store) {
    return real_value(0, max_timeout_s, false, store)->value_name("S");
}

}  // namespace anyserial::cli
