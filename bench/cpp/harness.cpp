// Shared C++ bench harness: command line, clock, RSS and the JSON result line.
#include "harness.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#if __has_include(<valgrind/callgrind.h>)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <valgrind/callgrind.h>
#define BENCH_CALLGRIND 1
#endif

namespace bench {

Args parse(int argc, char **argv) {
    Args a;
    int i = 1;
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&] {
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            return std::string(argv[++i]);
        };
        if (arg == "--impl")
            a.impl = next();
        else if (arg == "--iters")
            a.iters = std::stol(next());
        else if (arg == "--warmup")
            a.warmup = std::stol(next());
        else if (arg == "--bytes")
            a.bytes = std::stol(next());
        else if (a.mode.empty())
            a.mode = arg;
        else
            a.paths.push_back(arg);
    }
    if (a.mode.empty()) throw std::invalid_argument("no mode given");
    return a;
}

double now_us() {
    using namespace std::chrono;
    return duration<double, std::micro>(steady_clock::now().time_since_epoch()).count();
}

double rss_mib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
    return -1.0;
}

void print_samples(const std::vector<double> &samples) {
    boost::json::array arr;
    arr.reserve(samples.size());
    for (double s : samples)
        arr.emplace_back(s);
    std::cout << boost::json::serialize(boost::json::object{{"samples_us", std::move(arr)}})
              << std::endl;
}

void print_value(const char *key, double value) {
    std::cout << boost::json::serialize(boost::json::object{{key, value}}) << std::endl;
}

void instr_begin() noexcept {
#ifdef BENCH_CALLGRIND
    CALLGRIND_ZERO_STATS;
#endif
}

void instr_end() noexcept {
#ifdef BENCH_CALLGRIND
    CALLGRIND_DUMP_STATS_AT("measured window");
#endif
}

void instr_pause() noexcept {
#ifdef BENCH_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
}

void instr_resume() noexcept {
#ifdef BENCH_CALLGRIND
    CALLGRIND_TOGGLE_COLLECT;
#endif
}

void print_error(const std::string &why) {
    std::cout << boost::json::serialize(boost::json::object{{"error", why}}) << std::endl;
}

}  // namespace bench

#ifdef BENCH_CALLGRIND
#pragma GCC diagnostic pop
#endif
