// Port discovery: every loaded backend's "anyserial.backend.discovery/1" extension, live.
#include <anyserial/sdk/ext/discovery.h>
#include <string.h>

#include <algorithm>
#include <anyserial/discovery.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/sdk/cpp/text.hpp>
#include <cstddef>
#include <filesystem>
#include <set>

#include "log/logger.hpp"
#include "plugin/struct_size.hpp"

namespace anyserial {

namespace {

// The one struct-size prefix reader (core/plugin/struct_size.hpp).
#define ANYSERIAL_HAS(ptr, type, member) plugin_detail::has_member(*(ptr), &type::member)

// Longest text taken from a record; the rest of a longer (or unterminated) string is cut.
constexpr std::size_t kMaxText = 1024;

// A plugin's string as shown to a terminal or written to JSON: bounded, and escaped by
// the one validator (sdk/cpp/text.hpp) where it is not clean UTF-8.
std::optional<std::string> text(const char *s) {
    if (s == nullptr) return std::nullopt;
    return sdk::text::escape(std::string_view(s, strnlen(s, kMaxText)));
}

struct Collector {
    std::string backend;
    std::vector<PortInfo> *out;
};

int32_t collect(void *user, const anyserial_port_info_t *info) noexcept {
    try {
        auto &c = *static_cast<Collector *>(user);
        if (info == nullptr || !ANYSERIAL_HAS(info, anyserial_port_info_t, device) ||
            info->device == nullptr)
            return 0;
        // A device path is opened later: one that is not clean text is not a port.
        const std::string_view device(info->device, strnlen(info->device, kMaxText + 1));
        if (device.size() > kMaxText || !sdk::text::is_clean(device)) {
            log::logger("anyserial.discovery")
                .warn("backend '{}' listed a device path that is not clean text ({}): {}",
                      c.backend, sdk::text::problem_name(sdk::text::check(device)),
                      sdk::text::escape(device.substr(0, 80)));
            return 0;
        }
        PortInfo p;
        p.device = std::string(device);
        p.backend = c.backend;
        if (ANYSERIAL_HAS(info, anyserial_port_info_t, interface)) {
            p.name = text(info->name);
            p.description = text(info->description);
            p.hwid = text(info->hwid);
            if (info->vid >= 0 && info->vid <= 0xffff)
                p.vid = static_cast<std::uint16_t>(info->vid);
            if (info->pid >= 0 && info->pid <= 0xffff)
                p.pid = static_cast<std::uint16_t>(info->pid);
            p.serial_number = text(info->serial_number);
            p.manufacturer = text(info->manufacturer);
            p.product = text(info->product);
            p.location = text(info->location);
            p.interface = text(info->interface);
        }
        c.out->push_back(std::move(p));
        return 0;
    } catch (...) {
        return 1;  // out of memory: stop this backend's enumeration
    }
}

std::string canonical_or_same(std::string_view path) {
    std::error_code ec;
    const std::filesystem::path real = std::filesystem::canonical(std::filesystem::path(path), ec);
    return ec ? std::string(path) : real.string();
}

}  // namespace

std::vector<PortInfo> list_serial_ports(const PluginHost &host) {
    std::vector<PortInfo> all;
    for (const LoadedBackend *b : host.backends()) {
        const auto *ext = static_cast<const anyserial_discovery_ext_t *>(
            b->extension(ANYSERIAL_EXT_DISCOVERY_ID));
        if (ext == nullptr || !ANYSERIAL_HAS(ext, anyserial_discovery_ext_t, list_ports) ||
            ext->list_ports == nullptr)
            continue;
        std::vector<PortInfo> found;
        Collector c{b->record().id, &found};
        const int32_t st = ext->list_ports(&collect, &c);
        if (st != ANYSERIAL_OK)
            log::logger("anyserial.discovery")
                .warn("backend '{}' discovery failed with status {}", b->record().id, st);
        all.insert(all.end(), std::make_move_iterator(found.begin()),
                   std::make_move_iterator(found.end()));
    }
    // The first backend reporting a device wins; sorted by device path.
    std::stable_sort(all.begin(), all.end(),
                     [](const PortInfo &a, const PortInfo &b) { return a.device < b.device; });
    all.erase(
        std::unique(all.begin(), all.end(),
                    [](const PortInfo &a, const PortInfo &b) { return a.device == b.device; }),
        all.end());
    return all;
}

std::optional<PortInfo> find_port_info(const PluginHost &host, std::string_view device) {
    const std::string wanted = canonical_or_same(device);
    for (PortInfo &p : list_serial_ports(host))
        if (p.device == device || canonical_or_same(p.device) == wanted) return std::move(p);
    return std::nullopt;
}

bool PortFilter::matches(const PortInfo &p) const noexcept {
    auto same = [](const auto &want, const auto &have) { return !want || want == have; };
    return same(vid, p.vid) && same(pid, p.pid) && same(serial_number, p.serial_number) &&
           same(manufacturer, p.manufacturer) && same(product, p.product) &&
           same(location, p.location) && same(interface, p.interface);
}

std::optional<PortInfo> find_serial_port(const PluginHost &host, const PortFilter &filter) {
    for (PortInfo &p : list_serial_ports(host))
        if (filter.matches(p)) return std::move(p);
    return std::nullopt;
}

std::optional<PortInfo> find_serial_port(const PluginHost &host, std::optional<std::uint16_t> vid,
                                         std::optional<std::uint16_t> pid,
                                         std::optional<std::string> serial_number) {
    PortFilter f;
    f.vid = vid;
    f.pid = pid;
    f.serial_number = std::move(serial_number);
    return find_serial_port(host, f);
}

}  // namespace anyserial
