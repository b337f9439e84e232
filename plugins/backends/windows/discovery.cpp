#include "discovery.hpp"

// clang-format off
#include <windows.h>
#include <setupapi.h>
#include <devguid.h>
// clang-format on

#include <cctype>
#include <cstdio>
#include <vector>

namespace anyserial::windows_backend {

namespace {

std::string narrow(const wchar_t *w) {
    if (w == nullptr || *w == L'\0') return {};
    const int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, nullptr, 0, nullptr, nullptr);
    if (n <= 1) return {};
    std::string out(static_cast<std::size_t>(n - 1), '\0');
    WideCharToMultiByte(CP_UTF8, 0, w, -1, out.data(), n, nullptr, nullptr);
    return out;
}

std::string registry_property(HDEVINFO set, SP_DEVINFO_DATA &dev, DWORD prop) {
    wchar_t buf[512] = {};
    DWORD type = 0;
    if (!SetupDiGetDeviceRegistryPropertyW(set, &dev, prop, &type, reinterpret_cast<BYTE *>(buf),
                                           sizeof buf - sizeof(wchar_t), nullptr))
        return {};
    return narrow(buf);  // REG_MULTI_SZ: the first string
}

std::string port_name(HDEVINFO set, SP_DEVINFO_DATA &dev) {
    HKEY key = SetupDiOpenDevRegKey(set, &dev, DICS_FLAG_GLOBAL, 0, DIREG_DEV, KEY_READ);
    if (key == INVALID_HANDLE_VALUE) return {};
    wchar_t buf[64] = {};
    DWORD size = sizeof buf - sizeof(wchar_t);
    DWORD type = 0;
    const LONG rc =
        RegQueryValueExW(key, L"PortName", nullptr, &type, reinterpret_cast<BYTE *>(buf), &size);
    RegCloseKey(key);
    return rc == ERROR_SUCCESS && type == REG_SZ ? narrow(buf) : std::string();
}

int32_t hex_after(const std::string &s, const char *tag) {
    const std::size_t at = s.find(tag);
    if (at == std::string::npos) return -1;
    unsigned value = 0;
    if (std::sscanf(s.c_str() + at + std::char_traits<char>::length(tag), "%4x", &value) != 1)
        return -1;
    return static_cast<int32_t>(value);
}

int32_t visit_class(const GUID &guid, anyserial_port_visitor_fn visit, void *user) {
    HDEVINFO set = SetupDiGetClassDevsW(&guid, nullptr, nullptr, DIGCF_PRESENT);
    if (set == INVALID_HANDLE_VALUE) return 0;
    int32_t stop = 0;
    SP_DEVINFO_DATA dev{};
    dev.cbSize = sizeof dev;
    for (DWORD i = 0; stop == 0 && SetupDiEnumDeviceInfo(set, i, &dev); ++i) {
        const std::string port = port_name(set, dev);
        if (port.rfind("COM", 0) != 0) continue;  // LPT ports share the Ports class
        wchar_t idbuf[512] = {};
        std::string instance;
        if (SetupDiGetDeviceInstanceIdW(set, &dev, idbuf, 511, nullptr)) instance = narrow(idbuf);
        const UsbIds ids = parse_instance_id(instance);
        const std::string friendly = registry_property(set, dev, SPDRP_FRIENDLYNAME);
        const std::string desc = registry_property(set, dev, SPDRP_DEVICEDESC);
        const std::string mfg = registry_property(set, dev, SPDRP_MFG);
        const std::string location = registry_property(set, dev, SPDRP_LOCATION_INFORMATION);
        std::string hwid = instance;
        if (ids.vid >= 0) {
            char text[96];
            std::snprintf(text, sizeof text, "USB VID:PID=%04X:%04X",
                          static_cast<unsigned>(ids.vid), static_cast<unsigned>(ids.pid));
            hwid = text;
            if (!ids.serial.empty()) hwid += " SER=" + ids.serial;
        }
        const std::string device = "\\\\.\\" + port;
        anyserial_port_info_t info{};
        info.struct_size = sizeof info;
        info.device = device.c_str();
        info.name = port.c_str();
        info.description = !friendly.empty() ? friendly.c_str()
                           : !desc.empty()   ? desc.c_str()
                                             : nullptr;
        info.hwid = hwid.empty() ? nullptr : hwid.c_str();
        info.vid = ids.vid;
        info.pid = ids.pid;
        info.serial_number = ids.serial.empty() ? nullptr : ids.serial.c_str();
        info.manufacturer = mfg.empty() ? nullptr : mfg.c_str();
        info.product = desc.empty() ? nullptr : desc.c_str();
        info.location = location.empty() ? nullptr : location.c_str();
        info.interface = nullptr;
        stop = visit(user, &info);
    }
    SetupDiDestroyDeviceInfoList(set);
    return stop;
}

int32_t list_ports(anyserial_port_visitor_fn visit, void *user) noexcept {
    if (visit == nullptr) return ANYSERIAL_E_INVALID_ARGUMENT;
    try {
        if (visit_class(GUID_DEVCLASS_PORTS, visit, user) != 0) return ANYSERIAL_OK;
        (void)visit_class(GUID_DEVCLASS_MODEM, visit, user);
        return ANYSERIAL_OK;
    } catch (...) {
        return ANYSERIAL_E_NO_MEMORY;
    }
}

}  // namespace

UsbIds parse_instance_id(const std::string &id) {
    UsbIds out;
    std::string upper = id;
    for (char &c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out.vid = hex_after(upper, "VID_");
    out.pid = hex_after(upper, "PID_");
    if (out.vid < 0 || out.pid < 0) return UsbIds{};
    if (upper.rfind("USB\\", 0) == 0) {
        // USB\VID_0403&PID_6001\A12345: the last part is the serial unless Windows made
        // one up (it then contains '&').
        const std::size_t last = id.rfind('\\');
        if (last != std::string::npos && last + 1 < id.size()) {
            const std::string tail = id.substr(last + 1);
            if (tail.find('&') == std::string::npos) out.serial = tail;
        }
    } else if (upper.rfind("FTDIBUS\\", 0) == 0) {
        // FTDIBUS\VID_0403+PID_6001+A12345A\0000: serial + port letter after the 2nd '+'.
        const std::size_t plus = id.find('+', id.find('+') + 1);
        const std::size_t end = id.find('\\', plus);
        if (plus != std::string::npos && end != std::string::npos && end > plus + 2)
            out.serial = id.substr(plus + 1, end - plus - 2);  // drop the port letter
    }
    return out;
}

const anyserial_discovery_ext_t &discovery_extension() noexcept {
    static const anyserial_discovery_ext_t ext = {sizeof ext, &list_ports};
    return ext;
}

}  // namespace anyserial::windows_backend
