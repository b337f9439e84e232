// anyserial CLI — the one validation path for option values. Every verb declares its
// numeric options with these instead of po::value<T>(): a word is parsed strictly (the whole
// word; no sign on a whole number, so "-1" is not 4294967295; finite decimals only) and
// checked against the option's range while Boost.ProgramOptions stores it. A bad value is a
// po::error naming the option, which parse_options turns into a usage error (exit 2) before
// the verb touches a port or a file.
#pragma once

#include <boost/any.hpp>
#include <boost/program_options/errors.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace anyserial::cli {

// The ranges the verbs share.
inline constexpr std::uint32_t max_baud = 16'000'000;
inline constexpr double max_rate_hz = 1e4;      // the fastest tick or poll rate
inline constexpr double max_duration_s = 1e9;   // ~31 years, far from int64 ns overflow
inline constexpr double max_timeout_s = 86400;  // one wait longer than a day is a typo

namespace detail {

// Strict parsers; they throw po::error_with_option_name ("--OPT must be ..., not 'W'").
std::uintmax_t parse_whole(const std::string &word, std::uintmax_t lo, std::uintmax_t hi);
double parse_real(const std::string &word, double lo, double hi, bool lo_inclusive);

template <class T>
class Whole final : public boost::program_options::typed_value<T> {
  public:
    Whole(T *store, T lo, T hi) : boost::program_options::typed_value<T>(store), lo_(lo), hi_(hi) {}
    void xparse(boost::any &v, const std::vector<std::string> &words) const override {
        if (words.empty()) {  // a flag given alone: its implicit value, when it has one
            boost::program_options::typed_value<T>::xparse(v, words);
            return;
        }
        boost::program_options::validators::check_first_occurrence(v);
        v = static_cast<T>(
            parse_whole(boost::program_options::validators::get_single_string(words), lo_, hi_));
    }

  private:
    T lo_, hi_;
};

// A repeatable (composing) whole-number option: every word is checked.
template <class T>
class Wholes final : public boost::program_options::typed_value<std::vector<T>> {
  public:
    Wholes(T lo, T hi)
        : boost::program_options::typed_value<std::vector<T>>(nullptr), lo_(lo), hi_(hi) {}
    void xparse(boost::any &v, const std::vector<std::string> &words) const override {
        if (v.empty()) v = std::vector<T>();
        auto &out = boost::any_cast<std::vector<T> &>(v);
        for (const std::string &w : words)
            out.push_back(static_cast<T>(parse_whole(w, lo_, hi_)));
    }

  private:
    T lo_, hi_;
};

class Real final : public boost::program_options::typed_value<double> {
  public:
    Real(double *store, double lo, double hi, bool lo_inclusive)
        : boost::program_options::typed_value<double>(store),
          lo_(lo),
          hi_(hi),
          lo_inclusive_(lo_inclusive) {}
    void xparse(boost::any &v, const std::vector<std::string> &words) const override;

  private:
    double lo_, hi_;
    bool lo_inclusive_;
};

}  // namespace detail

// A whole number in lo..hi (std::uint32_t, unsigned, std::uint64_t, int...).
template <class T>
boost::program_options::typed_value<T> *whole_value(T lo, T hi, T *store = nullptr) {
    return new detail::Whole<T>(store, lo, hi);
}
// The same, repeatable: a vector of whole numbers in lo..hi.
template <class T>
boost::program_options::typed_value<std::vector<T>> *whole_values(T lo, T hi) {
    return new detail::Wholes<T>(lo, hi);
}
// A finite decimal in (lo, hi] (or [lo, hi] with lo_inclusive).
boost::program_options::typed_value<double> *real_value(double lo, double hi,
                                                        bool lo_inclusive = false,
                                                        double *store = nullptr);

// --baud B: 1..max_baud.
boost::program_options::typed_value<std::uint32_t> *baud_value(std::uint32_t *store = nullptr);
// --rate HZ: (0, max_rate_hz].
boost::program_options::typed_value<double> *rate_value(double *store = nullptr);
// --duration / --seconds S: (0, max_duration_s].
boost::program_options::typed_value<double> *duration_value(double *store = nullptr);
// --timeout / --interval S: (0, max_timeout_s].
boost::program_options::typed_value<double> *timeout_value(double *store = nullptr);

}  // namespace anyserial::cli
