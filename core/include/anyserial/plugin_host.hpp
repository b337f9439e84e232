// anyserial — the plugin host: finds, loads, validates and keeps the plugins.
//
// A PluginHost must outlive every object created through it (ports, sessions,
// simulators): unloading a plugin unmaps its code.
#pragma once

#include <anyserial/sdk/backend.h>
#include <anyserial/sdk/entry.h>
#include <anyserial/sdk/protocol.h>

#include <anyserial/device/models.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anyserial {

enum class PluginKind { backend, protocol };

// One backend or protocol a loaded plugin file provides.
struct PluginRecord {
    std::string id;
    PluginKind kind = PluginKind::backend;
    std::string name;
    std::string vendor;
    std::string version;  // the plugin's own version
    std::string description;
    std::string abi;  // negotiated ABI "1.m.p"
    std::filesystem::path path;
    std::vector<std::string> claims;  // "/dev/" prefixes and "mock://" schemes (backends)
    std::string backend_kind;         // "sync-fd" | "async-completion" (backends)
    std::string platform;             // backends
    std::string device_family;        // protocols
    std::string mode;                 // protocols: short CLI name, e.g. "ascii"
};

// A plugin file that was not loaded (or one of its providers that was dropped).
struct RefusedPlugin {
    std::filesystem::path path;
    std::string reason;
};

struct BackendDeleter {
    void operator()(anyserial_backend_t *b) const noexcept {
        if (b != nullptr && b->destroy != nullptr) b->destroy(b);
    }
};
using BackendHandle = std::unique_ptr<anyserial_backend_t, BackendDeleter>;

struct ProtocolSessionDeleter {
    void operator()(anyserial_protocol_session_t *s) const noexcept {
        if (s != nullptr && s->vtable != nullptr && s->vtable->destroy != nullptr)
            s->vtable->destroy(s);
    }
};
using ProtocolSessionHandle = std::unique_ptr<anyserial_protocol_session_t, ProtocolSessionDeleter>;

// A validated backend provider.
class LoadedBackend {
  public:
    virtual ~LoadedBackend() = default;
    virtual const PluginRecord &record() const noexcept = 0;
    virtual const anyserial_backend_descriptor_t &descriptor() const noexcept = 0;
    virtual const anyserial_backend_factory_t &factory() const noexcept = 0;
    // New closed instance; throws anyserial::SerialError naming the plugin on failure.
    virtual BackendHandle create() const = 0;
    // Backend-level extension (e.g. "anyserial.backend.discovery/1") or nullptr.
    virtual const void *extension(const char *id) const noexcept = 0;
};

// What a port name opens: the backend that claims it and the name handed to that backend.
struct PortTarget {
    const LoadedBackend *backend = nullptr;  // nullptr: no backend claims it
    std::string device;                      // the path to open: the link's target for a symlink
};

// What a protocol plugin declared in its "anyserial.protocol/2" descriptor, validated when
// it loaded and copied: the core reads these, never the plugin's memory, after loading.
struct ProtocolModel {
    std::string id;                  // "acme-flow"
    std::string name;                // human name ("" when none)
    std::string family;              // device family ("" when none)
    std::string mode;                // mode within the family (the id when the plugin gives none)
    bool broadcast = false;          // ANYSERIAL_TRAFFIC_BROADCAST
    std::uint32_t capabilities = 0;  // ANYSERIAL_PCAP_*
    std::uint32_t probe_kind = 0;    // ANYSERIAL_PROBE_*
    std::uint32_t probe_rank = 0;
    std::chrono::nanoseconds frame_interval{0};
    std::shared_ptr<const device::FlagTable> flags;  // never null (empty when none declared)
    std::vector<device::CommandInfo> commands;
    device::AddressSyntax address;               // Kind::none when the protocol has none
    anyserial_serial_config_t default_serial{};  // the device's default settings (copy)
    // The declared command with this id, or nullptr.
    const device::CommandInfo *command(std::string_view command_id) const noexcept;
};

// A validated protocol provider ("anyserial.protocol/2").
class LoadedProtocol {
  public:
    virtual ~LoadedProtocol() = default;
    virtual const PluginRecord &record() const noexcept = 0;
    // The plugin's own descriptor (valid until the plugin unloads); prefer model().
    virtual const anyserial_protocol_descriptor_t &descriptor() const noexcept = 0;
    virtual const anyserial_protocol_factory_t &factory() const noexcept = 0;
    virtual const ProtocolModel &model() const noexcept = 0;
    // New session (its vtable checked); throws PluginError naming the plugin on failure.
    virtual ProtocolSessionHandle create_session(
        const anyserial_protocol_options_t *options) const = 0;
    // Protocol-level extension (e.g. "anyserial.protocol.simulator/2") or nullptr.
    virtual const void *extension(const char *id) const noexcept = 0;

    const std::string &id() const noexcept { return model().id; }
    const std::shared_ptr<const device::FlagTable> &flag_table() const noexcept {
        return model().flags;
    }
    const std::vector<device::CommandInfo> &commands() const noexcept { return model().commands; }
    const device::AddressSyntax &address_syntax() const noexcept { return model().address; }
    const anyserial_serial_config_t &default_serial() const noexcept {
        return model().default_serial;
    }
};

class PluginHost {
  public:
    PluginHost();
    ~PluginHost();  // deinit and unload in reverse load order
    PluginHost(const PluginHost &) = delete;
    PluginHost &operator=(const PluginHost &) = delete;

    // The default search: the build tree's plugin dir when libanyserial itself runs from
    // the build tree, otherwise the install prefix's plugin dir (and <dir of
    // libanyserial>/anyserial/plugins, for a relocated install); then every entry of
    // ANYSERIAL_PLUGIN_PATH (colon-separated), then extra_dirs (the CLI's repeatable
    // --plugin-dir). A directory already searched is skipped. On a duplicate id or claim
    // the first loaded wins and the later file is refused.
    void load_default(const std::vector<std::filesystem::path> &extra_dirs = {});
    // Every libanyserial-*.so / anyserial-*.so in dir (non-recursive, sorted by name).
    void load_directory(const std::filesystem::path &dir);
    // One plugin file; refusals are recorded, never thrown. Loading a plugin runs its code
    // in this process, so before dlopen the file must be a regular ELF shared object for
    // this machine, and neither it nor its directory (nor the directory of a symlink to
    // it) may be world-writable; group-writable ones load with a warning.
    void load_file(const std::filesystem::path &file);
    // Load world-writable plugin files and directories anyway (with a warning). Also set by
    // the environment variable ANYSERIAL_ALLOW_INSECURE_PLUGINS=1 when the host is built.
    void allow_insecure_plugins(bool allow) noexcept;
    // A plugin linked into the executable (an OEM build without dlopen): the same
    // version negotiation, validation and refusals as a file; its record's path is
    // "static:<name>". The entry must outlive the host.
    void add_static(const anyserial_plugin_entry_t &entry, std::string_view name);

    const std::vector<PluginRecord> &plugins() const noexcept;
    const std::vector<RefusedPlugin> &refused() const noexcept;
    const std::vector<std::filesystem::path> &searched_directories() const noexcept;

    // The backend claiming this port name: the longest matching "/dev/" prefix or the
    // URL scheme ("mock://x/a" -> scheme "mock"). nullptr when none claims it.
    const LoadedBackend *backend_for(std::string_view port) const noexcept;
    // The one place a port name becomes a backend and a device path, used by every open:
    // a filesystem path is resolved through its symlinks first (a udev
    // /dev/serial/by-id alias, an `anyserial simulate --link` link), so the backend that
    // claims the target opens it; a name no backend claims after resolution is tried as
    // given. URL names ("mock://x") are never touched.
    PortTarget resolve_port(std::string_view port) const;
    const LoadedBackend *backend(std::string_view id) const noexcept;
    std::vector<const LoadedBackend *> backends() const;

    const LoadedProtocol *protocol(std::string_view id) const noexcept;
    std::vector<const LoadedProtocol *> protocols() const;
    // Protocols of one device family, in AUTO order (probe_rank, then id).
    std::vector<const LoadedProtocol *> protocols_in_family(std::string_view family) const;
    // The loaded protocol of `family` whose mode is `mode`, or nullptr.
    const LoadedProtocol *protocol_by_mode(std::string_view family, std::string_view mode) const;
    // The distinct families of the loaded protocols, sorted.
    std::vector<std::string> families() const;

    // The host services passed to plugins.
    const anyserial_host_t &c_host() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace anyserial
