// anyserial — named spdlog loggers on one stderr sink with one global threshold.
#include <spdlog/sinks/stdout_color_sinks.h>

#include <anyserial/log.hpp>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "log/logger.hpp"

namespace anyserial::log {
namespace {

struct Registry {
    std::mutex mutex;
    std::shared_ptr<spdlog::sinks::sink> sink;
    std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
    std::atomic<int> level{static_cast<int>(Level::warn)};

    Registry() : sink(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()) {
        sink->set_pattern("%Y-%m-%d %H:%M:%S.%e [%n] %l: %v");
    }
};

// Leaked on purpose: plugins and static destructors may still log during shutdown.
Registry &registry() {
    static Registry *r = new Registry();
    return *r;
}

spdlog::level::level_enum to_spdlog(Level lvl) noexcept {
    return static_cast<spdlog::level::level_enum>(static_cast<int>(lvl));
}

}  // namespace

spdlog::logger &logger(std::string_view name) {
    Registry &r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.loggers.find(name); it != r.loggers.end()) return *it->second;
    auto lg = std::make_shared<spdlog::logger>(std::string(name), r.sink);
    lg->set_level(to_spdlog(static_cast<Level>(r.level.load())));
    auto &slot = r.loggers[std::string(name)];
    slot = std::move(lg);
    return *slot;
}

void set_level(Level lvl) noexcept {
    Registry &r = registry();
    std::lock_guard lock(r.mutex);
    r.level.store(static_cast<int>(lvl));
    for (auto &[name, lg] : r.loggers)
        lg->set_level(to_spdlog(lvl));
}

Level level() noexcept {
    return static_cast<Level>(registry().level.load());
}

bool enabled(Level lvl) noexcept {
    return lvl != Level::off && static_cast<int>(lvl) >= registry().level.load();
}

std::optional<Level> parse_level(std::string_view text) noexcept {
    static constexpr std::array<std::pair<std::string_view, Level>, 8> names{{
        {"trace", Level::trace},
        {"debug", Level::debug},
        {"info", Level::info},
        {"warn", Level::warn},
        {"warning", Level::warn},
        {"error", Level::error},
        {"critical", Level::critical},
        {"off", Level::off},
    }};
    for (const auto &[name, lvl] : names)
        if (name == text) return lvl;
    return std::nullopt;
}

std::string_view to_string(Level lvl) noexcept {
    switch (lvl) {
        case Level::trace:
            return "trace";
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
        case Level::critical:
            return "critical";
        case Level::off:
            return "off";
    }
    return "off";
}

void write(std::string_view name, Level lvl, std::string_view message) noexcept {
    if (!enabled(lvl)) return;
    try {
        logger(name).log(to_spdlog(lvl), "{}", message);
    } catch (...) {
        // Logging must never take the process down (e.g. allocation failure).
    }
}

}  // namespace anyserial::log
