// Linux sysfs discovery against a fake sysfs tree built in a temp dir: USB serial (FTDI),
// CDC ACM with several interfaces, a serial-base 8250 port on pnp, a placeholder 8250,
// virtual ttys, a symlink escaping the root and hostile attribute text.
#define BOOST_TEST_MODULE posix_discovery
#include <unistd.h>

#include <anyserial/sdk/cpp/text.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "discovery.hpp"

namespace fs = std::filesystem;
using anyserial::linux_backend::PortRecord;
using anyserial::linux_backend::read_attribute;
using anyserial::linux_backend::scan_sysfs;

namespace {

struct FakeSysfs {
    fs::path base, sys, dev, outside;

    FakeSysfs() {
        char tmpl[] = "/tmp/anyserial-sysfs-XXXXXX";
        base = ::mkdtemp(tmpl);
        sys = base / "sys";
        dev = base / "dev";
        outside = base / "outside";
        for (const char *b : {"usb-serial", "usb", "serial-base", "pnp", "platform"})
            fs::create_directories(sys / "bus" / b);
        fs::create_directories(sys / "class/tty");
        fs::create_directories(dev);
        fs::create_directories(outside / "evil");
        file(outside / "evil/idVendor", "dead\n");
    }
    ~FakeSysfs() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }

    static void file(const fs::path &p, const std::string &text) {
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << text;
    }
    void subsystem(const fs::path &device, const std::string &bus) {
        fs::create_directories(device);
        fs::create_directory_symlink(sys / "bus" / bus, device / "subsystem");
    }
    // A tty under device (class entry + device link + /dev node).
    fs::path tty(const std::string &name, const fs::path &device, bool dev_node = true) {
        const fs::path node = device / "tty" / name;
        fs::create_directories(node);
        fs::create_directory_symlink(device, node / "device");
        fs::create_directory_symlink(node, sys / "class/tty" / name);
        if (dev_node) file(dev / name, "");
        return node;
    }

    void build() {
        // FTDI FT232R: usb device 1-1.2, interface 1-1.2:1.0, usb-serial port ttyUSB0.
        const fs::path usbdev = sys / "devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2";
        subsystem(usbdev, "usb");
        file(usbdev / "idVendor", "0403\n");
        file(usbdev / "idProduct", "6001\n");
        file(usbdev / "serial", "A12BC\n");
        file(usbdev / "manufacturer", "FTDI\n");
        file(usbdev / "product", "FT232R USB UART\n");
        file(usbdev / "bNumInterfaces", " 1\n");
        const fs::path intf = usbdev / "1-1.2:1.0";
        subsystem(intf, "usb");
        const fs::path port = intf / "ttyUSB0";
        subsystem(port, "usb-serial");
        tty("ttyUSB0", port);

        // CDC ACM composite with two interfaces: the tty hangs off the interface itself.
        const fs::path acm = sys / "devices/pci0000:00/0000:00:14.0/usb1/1-3";
        subsystem(acm, "usb");
        file(acm / "idVendor", "2341\n");
        file(acm / "idProduct", "0043\n");
        file(acm / "product", "Arduino Uno\n");
        file(acm / "bNumInterfaces", " 2\n");
        const fs::path acm_if = acm / "1-3:1.0";
        subsystem(acm_if, "usb");
        file(acm_if / "interface", "CDC Abstract Control Model\n");
        tty("ttyACM0", acm_if);

        // A real 16550 behind serial-base (kernel >= 6.5 layout) on pnp.
        const fs::path pnp = sys / "devices/pnp0/00:00";
        subsystem(pnp, "pnp");
        file(pnp / "id", "PNP0501\n");
        subsystem(pnp / "00:00:0", "serial-base");
        subsystem(pnp / "00:00:0/00:00:0.0", "serial-base");
        file(tty("ttyS0", pnp / "00:00:0/00:00:0.0") / "type", "4\n");
        // An 8250 placeholder nobody answered: type 0 (PORT_UNKNOWN).
        const fs::path ph = sys / "devices/platform/serial8250/serial8250:0/serial8250:0.1";
        subsystem(ph, "serial-base");
        file(tty("ttyS1", ph) / "type", "0\n");

        // Virtual console: no device link.
        fs::create_directories(sys / "devices/virtual/tty/tty0");
        fs::create_directory_symlink(sys / "devices/virtual/tty/tty0", sys / "class/tty/tty0");
        file(dev / "tty0", "");

        // A device link that escapes the sysfs root must not be followed.
        const fs::path evil = sys / "devices/virtual/tty/ttyEVIL";
        fs::create_directories(evil);
        fs::create_directory_symlink(outside / "evil", evil / "device");
        fs::create_directory_symlink(evil, sys / "class/tty/ttyEVIL");
        file(dev / "ttyEVIL", "");

        // Hostile text: control characters and invalid UTF-8 in product / serial.
        const fs::path bad = sys / "devices/pci0000:00/0000:00:14.0/usb1/1-4";
        subsystem(bad, "usb");
        file(bad / "idVendor", "1a86\n");
        file(bad / "idProduct", "7523\n");
        file(bad / "product", "USB\x1b[2JSerial\n");
        file(bad / "serial", "\xff\xfe\n");
        file(bad / "manufacturer", std::string(1000, 'x'));
        subsystem(bad / "1-4:1.0", "usb");
        subsystem(bad / "1-4:1.0/ttyUSB1", "usb-serial");
        tty("ttyUSB1", bad / "1-4:1.0/ttyUSB1");

        // A port whose /dev node is gone.
        subsystem(sys / "devices/pnp0/00:05", "pnp");
        tty("ttyS7", sys / "devices/pnp0/00:05", false);
    }
};

const PortRecord *find(const std::vector<PortRecord> &v, const std::string &name) {
    for (const auto &r : v)
        if (r.name == name) return &r;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(lists_real_ports_with_usb_metadata) {
    FakeSysfs f;
    f.build();
    const auto ports = scan_sysfs(f.sys, f.dev);
    std::vector<std::string> names;
    for (const auto &p : ports)
        names.push_back(p.name);
    const std::vector<std::string> expected = {"ttyACM0", "ttyS0", "ttyUSB0", "ttyUSB1"};
    BOOST_TEST(names == expected, boost::test_tools::per_element());

    const PortRecord *ftdi = find(ports, "ttyUSB0");
    BOOST_REQUIRE(ftdi);
    BOOST_TEST(ftdi->device == (f.dev / "ttyUSB0").string());
    BOOST_TEST(ftdi->vid == 0x0403);
    BOOST_TEST(ftdi->pid == 0x6001);
    BOOST_TEST(*ftdi->serial_number == "A12BC");
    BOOST_TEST(*ftdi->manufacturer == "FTDI");
    BOOST_TEST(*ftdi->product == "FT232R USB UART");
    BOOST_TEST(*ftdi->location == "1-1.2");
    BOOST_TEST(!ftdi->interface);
    BOOST_TEST(*ftdi->description == "FT232R USB UART");
    BOOST_TEST(*ftdi->hwid == "USB VID:PID=0403:6001 SER=A12BC LOCATION=1-1.2");

    const PortRecord *acm = find(ports, "ttyACM0");
    BOOST_REQUIRE(acm);
    BOOST_TEST(acm->vid == 0x2341);
    BOOST_TEST(*acm->location == "1-3:1.0");  // several interfaces: interface in location
    BOOST_TEST(*acm->interface == "CDC Abstract Control Model");
    BOOST_TEST(*acm->description == "Arduino Uno - CDC Abstract Control Model");
    BOOST_TEST(*acm->hwid == "USB VID:PID=2341:0043 LOCATION=1-3:1.0");
    BOOST_TEST(!acm->serial_number);

    const PortRecord *s0 = find(ports, "ttyS0");
    BOOST_REQUIRE(s0);
    BOOST_TEST(s0->vid == -1);
    BOOST_TEST(*s0->hwid == "PNP0501");
    BOOST_TEST(*s0->description == "ttyS0");
}

BOOST_AUTO_TEST_CASE(hostile_attributes_become_unknown) {
    FakeSysfs f;
    f.build();
    const auto ports = scan_sysfs(f.sys, f.dev);
    const PortRecord *bad = find(ports, "ttyUSB1");
    BOOST_REQUIRE(bad);
    BOOST_TEST(bad->vid == 0x1a86);
    BOOST_TEST(!bad->product);        // escape sequence rejected
    BOOST_TEST(!bad->serial_number);  // invalid UTF-8 rejected
    BOOST_TEST(!bad->manufacturer);   // longer than the bound
    BOOST_TEST(*bad->description == "ttyUSB1");
    BOOST_TEST(*bad->hwid == "USB VID:PID=1A86:7523 LOCATION=1-4");
}

BOOST_AUTO_TEST_CASE(skips_virtual_placeholder_escaping_and_missing_nodes) {
    FakeSysfs f;
    f.build();
    const auto ports = scan_sysfs(f.sys, f.dev);
    BOOST_TEST(!find(ports, "tty0"));
    BOOST_TEST(!find(ports, "ttyS1"));
    BOOST_TEST(!find(ports, "ttyEVIL"));
    BOOST_TEST(!find(ports, "ttyS7"));
    // Without the /dev check the missing node is listed.
    BOOST_TEST(find(scan_sysfs(f.sys, {}), "ttyS7"));
}

BOOST_AUTO_TEST_CASE(read_attribute_validation) {
    FakeSysfs f;
    FakeSysfs::file(f.base / "a", "hello\n");
    FakeSysfs::file(f.base / "b", "caf\xc3\xa9\n");
    FakeSysfs::file(f.base / "c", "tab\there\n");
    FakeSysfs::file(f.base / "d", "\n");
    FakeSysfs::file(f.base / "e", "\xc3\n");  // truncated sequence
    fs::create_symlink(f.base / "a", f.base / "link");
    BOOST_TEST(*read_attribute(f.base / "a") == "hello");
    BOOST_TEST(*read_attribute(f.base / "b") == "caf\xc3\xa9");
    BOOST_TEST(!read_attribute(f.base / "c"));
    BOOST_TEST(!read_attribute(f.base / "d"));
    BOOST_TEST(!read_attribute(f.base / "e"));
    BOOST_TEST(!read_attribute(f.base / "link"));  // attributes are never symlinks
    BOOST_TEST(!read_attribute(f.base / "missing"));
}

BOOST_AUTO_TEST_CASE(missing_sysfs_root_lists_nothing) {
    BOOST_TEST(scan_sysfs("/nonexistent-sysfs-h4", "/dev").empty());
}

// Each class of text a terminal or a JSON reader must not get raw from sysfs.
struct BadText {
    const char *name;
    std::string bytes;
    anyserial::sdk::text::Problem problem;
    std::string escaped;
};

const BadText kBadText[] = {
    {"C0 control", "a\x1b[2Jb", anyserial::sdk::text::Problem::control, "a\\u{001B}[2Jb"},
    {"DEL", "a\x7f", anyserial::sdk::text::Problem::control, "a\\u{007F}"},
    {"C1 control (CSI)",
     "a\xc2\x9b"
     "2J",
     anyserial::sdk::text::Problem::control, "a\\u{009B}2J"},
    {"C1 control (NEL)", "\xc2\x85", anyserial::sdk::text::Problem::control, "\\u{0085}"},
    {"bidi RLO U+202E", "USB\xe2\x80\xaetxt.exe", anyserial::sdk::text::Problem::bidi,
     "USB\\u{202E}txt.exe"},
    {"bidi LRE U+202A", "\xe2\x80\xaa", anyserial::sdk::text::Problem::bidi, "\\u{202A}"},
    {"bidi FSI U+2068", "\xe2\x81\xa8", anyserial::sdk::text::Problem::bidi, "\\u{2068}"},
    {"bidi PDI U+2069", "\xe2\x81\xa9", anyserial::sdk::text::Problem::bidi, "\\u{2069}"},
    {"overlong '/' (2 bytes)", "\xc0\xaf", anyserial::sdk::text::Problem::overlong, "\\xC0\\xAF"},
    {"overlong NUL (3 bytes)", "\xe0\x80\x80", anyserial::sdk::text::Problem::overlong,
     "\\xE0\\x80\\x80"},
    {"overlong U+FFFF (4 bytes)", "\xf0\x8f\xbf\xbf", anyserial::sdk::text::Problem::overlong,
     "\\xF0\\x8F\\xBF\\xBF"},
    {"surrogate U+D800", "\xed\xa0\x80", anyserial::sdk::text::Problem::surrogate,
     "\\xED\\xA0\\x80"},
    {"surrogate U+DFFF", "\xed\xbf\xbf", anyserial::sdk::text::Problem::surrogate,
     "\\xED\\xBF\\xBF"},
    {"above U+10FFFF (F4 90)", "\xf4\x90\x80\x80", anyserial::sdk::text::Problem::too_large,
     "\\xF4\\x90\\x80\\x80"},
    {"above U+10FFFF (F7)", "\xf7\xbf\xbf\xbf", anyserial::sdk::text::Problem::too_large,
     "\\xF7\\xBF\\xBF\\xBF"},
    {"stray continuation", "a\x80", anyserial::sdk::text::Problem::malformed, "a\\x80"},
    {"invalid lead F8", "\xf8\x88\x80\x80\x80", anyserial::sdk::text::Problem::malformed,
     "\\xF8\\x88\\x80\\x80\\x80"},
    {"truncated", "caf\xc3", anyserial::sdk::text::Problem::malformed, "caf\\xC3"},
};

BOOST_AUTO_TEST_CASE(every_class_of_bad_text_is_refused_by_discovery) {
    FakeSysfs f;
    for (const BadText &t : kBadText) {
        BOOST_TEST_CONTEXT(t.name) {
            BOOST_TEST(std::string(problem_name(anyserial::sdk::text::check(t.bytes))) ==
                       problem_name(t.problem));
            BOOST_TEST(anyserial::sdk::text::escape(t.bytes) == t.escaped);
            FakeSysfs::file(f.base / "attr", t.bytes + "\n");
            BOOST_TEST(!read_attribute(f.base / "attr"));
        }
    }
}

BOOST_AUTO_TEST_CASE(clean_text_of_every_length_passes_unchanged) {
    // 1- to 4-byte forms at their edges, and the bidi neighbours that are fine.
    const std::string ok[] = {"plain ASCII ~",
                              "\xc2\xa0\xc2\xa9 (U+00A0, U+00A9)",
                              "\xdf\xbf (U+07FF)",
                              "\xe0\xa0\x80 (U+0800)",
                              "\xe2\x80\xa9 (U+2029)",
                              "\xe2\x80\xaf (U+202F)",
                              "\xe2\x81\xa5 (U+2065)",
                              "\xe2\x81\xaa (U+206A)",
                              "\xed\x9f\xbf (U+D7FF)",
                              "\xee\x80\x80 (U+E000)",
                              "\xf0\x90\x80\x80 (U+10000)",
                              "\xf4\x8f\xbf\xbf (U+10FFFF)"};
    FakeSysfs f;
    for (const std::string &s : ok) {
        BOOST_TEST_CONTEXT(s) {
            BOOST_TEST(anyserial::sdk::text::is_clean(s));
            BOOST_TEST(anyserial::sdk::text::escape(s) == s);
            FakeSysfs::file(f.base / "attr", s + "\n");
            BOOST_TEST(read_attribute(f.base / "attr").value_or("-") == s);
        }
    }
}
