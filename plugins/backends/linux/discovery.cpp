// sysfs discovery (see discovery.hpp).
#include "discovery.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <anyserial/sdk/cpp/text.hpp>
#include <cerrno>
#include <cstdio>

namespace anyserial::linux_backend {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxAttribute = 256;

// The canonical target of p when it lies inside root (itself canonical), else nullopt.
std::optional<fs::path> resolve_inside(const fs::path &p, const fs::path &root) {
    std::error_code ec;
    fs::path real = fs::canonical(p, ec);
    if (ec) return std::nullopt;
    const std::string r = root.string(), s = real.string();
    if (s.size() <= r.size() || s.compare(0, r.size(), r) != 0 || s[r.size()] != '/')
        return std::nullopt;
    return real;
}

std::optional<int> read_hex16(const fs::path &file) {
    const auto text = read_attribute(file);
    if (!text || text->size() != 4) return std::nullopt;
    unsigned value = 0;
    for (char ch : *text) {
        const int d = (ch >= '0' && ch <= '9')   ? ch - '0'
                      : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                      : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                                 : -1;
        if (d < 0) return std::nullopt;
        value = value * 16 + static_cast<unsigned>(d);
    }
    return static_cast<int>(value);
}

std::string subsystem_of(const fs::path &device, const fs::path &root) {
    const auto sub = resolve_inside(device / "subsystem", root);
    return sub ? sub->filename().string() : std::string();
}

std::string hex4(int v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(v) & 0xffffu);
    return buf;
}

void fill_usb(PortRecord &rec, const fs::path &interface_path, const fs::path &root) {
    const fs::path usb_device = interface_path.parent_path();
    if (usb_device.string().size() <= root.string().size()) return;
    const auto vid = read_hex16(usb_device / "idVendor");
    const auto pid = read_hex16(usb_device / "idProduct");
    if (!vid || !pid) return;  // not a USB device after all
    rec.vid = *vid;
    rec.pid = *pid;
    rec.serial_number = read_attribute(usb_device / "serial");
    rec.manufacturer = read_attribute(usb_device / "manufacturer");
    rec.product = read_attribute(usb_device / "product");
    rec.interface = read_attribute(interface_path / "interface");
    // Multi-interface adapters (FT4232, CDC composites) need the interface in the location.
    int interfaces = 1;
    if (const auto n = read_attribute(usb_device / "bNumInterfaces"))
        interfaces = std::max(1, std::atoi(n->c_str()));
    rec.location = (interfaces > 1 ? interface_path.filename() : usb_device.filename()).string();
    if (rec.interface && rec.product)
        rec.description = *rec.product + " - " + *rec.interface;
    else if (rec.product)
        rec.description = rec.product;
    std::string hwid = "USB VID:PID=" + hex4(rec.vid) + ":" + hex4(rec.pid);
    if (rec.serial_number) hwid += " SER=" + *rec.serial_number;
    if (rec.location) hwid += " LOCATION=" + *rec.location;
    rec.hwid = hwid;
}

// A serial_core port that no hardware answered (PORT_UNKNOWN): the 8250 placeholders.
bool placeholder_port(const fs::path &class_entry, const std::string &subsystem) {
    if (const auto type = read_attribute(class_entry / "type")) return *type == "0";
    return subsystem == "platform";  // kernels without the type attribute (pySerial's rule)
}

}  // namespace

std::optional<std::string> read_attribute(const fs::path &file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return std::nullopt;
    char buf[kMaxAttribute + 1];
    ssize_t n;
    do {
        n = ::read(fd, buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    ::close(fd);
    if (n < 0 || static_cast<std::size_t>(n) > kMaxAttribute) return std::nullopt;
    std::string text(buf, static_cast<std::size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
        text.pop_back();
    if (text.empty() || !sdk::text::is_clean(text)) return std::nullopt;
    return text;
}

std::vector<PortRecord> scan_sysfs(const fs::path &sysfs_root, const fs::path &dev_root) {
    std::vector<PortRecord> out;
    std::error_code ec;
    const fs::path root = fs::canonical(sysfs_root, ec);
    if (ec) return out;
    fs::directory_iterator it(root / "class" / "tty", ec);
    if (ec) return out;
    for (const fs::directory_entry &entry : it) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.size() > 64 || !sdk::text::is_clean(name)) continue;
        const auto class_entry = resolve_inside(entry.path(), root);
        if (!class_entry) continue;
        // Virtual ttys (tty0..63, console, ptmx) have no device link.
        const auto device = resolve_inside(*class_entry / "device", root);
        if (!device) continue;
        std::string subsystem = subsystem_of(*device, root);
        if (placeholder_port(*class_entry, subsystem)) continue;
        if (!dev_root.empty() && !fs::exists(dev_root / name, ec)) continue;

        PortRecord rec;
        rec.name = name;
        rec.device = (dev_root.empty() ? fs::path("/dev") : dev_root).string() + "/" + name;
        rec.description = name;
        // serial_core (kernel ≥ 6.5) inserts serial-base port/ctrl devices: look past them
        // to the hardware.
        fs::path hw = *device;
        while (subsystem == "serial-base") {
            hw = hw.parent_path();
            if (hw.string().size() <= root.string().size()) break;
            subsystem = subsystem_of(hw, root);
        }
        if (subsystem == "usb-serial") {
            fill_usb(rec, hw.parent_path(), root);
        } else if (subsystem == "usb") {
            fill_usb(rec, hw, root);
        } else if (subsystem == "pnp") {
            rec.hwid = read_attribute(hw / "id");
        } else if (subsystem == "amba" || subsystem == "platform" || subsystem == "pci") {
            rec.hwid = hw.filename().string();
        }
        out.push_back(std::move(rec));
    }
    std::sort(out.begin(), out.end(),
              [](const PortRecord &a, const PortRecord &b) { return a.name < b.name; });
    return out;
}

namespace {

const char *c_str(const std::optional<std::string> &s) noexcept {
    return s ? s->c_str() : nullptr;
}

int32_t list_ports(anyserial_port_visitor_fn visit, void *user) noexcept {
    if (visit == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    try {
        for (const PortRecord &r : scan_sysfs("/sys", "/dev")) {
            anyserial_port_info_t info{};
            info.struct_size = sizeof info;
            info.device = r.device.c_str();
            info.name = r.name.c_str();
            info.description = c_str(r.description);
            info.hwid = c_str(r.hwid);
            info.vid = r.vid;
            info.pid = r.pid;
            info.serial_number = c_str(r.serial_number);
            info.manufacturer = c_str(r.manufacturer);
            info.product = c_str(r.product);
            info.location = c_str(r.location);
            info.interface = c_str(r.interface);
            if (visit(user, &info) != 0) break;
        }
        return ANYSERIAL_OK;
    } catch (const std::bad_alloc &) {
        return ANYSERIAL_E_NO_MEMORY;
    } catch (...) {
        return ANYSERIAL_E_INTERNAL;
    }
}

constexpr anyserial_discovery_ext_t kDiscovery = {sizeof(anyserial_discovery_ext_t), &list_ports};

}  // namespace

const anyserial_discovery_ext_t &discovery_extension() noexcept {
    return kDiscovery;
}

}  // namespace anyserial::linux_backend
