// anyserial — PluginHost: loads plugin files with Boost.DLL, negotiates the ABI version,
// validates every provider and keeps a record of every refusal with its reason.
#include <dlfcn.h>

#include <algorithm>
#include <anyserial/log.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/version.hpp>
#include <boost/dll/shared_library.hpp>
#include <cctype>
#include <cstdlib>
#include <set>
#include <system_error>

#include "plugin/file_check.hpp"
#include "plugin/host_services.hpp"
#include "plugin/protocol_model.hpp"
#include "plugin/providers.hpp"
#include "plugin/search.hpp"
#include "plugin/validate.hpp"

namespace anyserial {

namespace fs = std::filesystem;
using plugin_detail::BackendProvider;
using plugin_detail::HostServices;
using plugin_detail::ProtocolProvider;

namespace {

constexpr const char *kLogger = "anyserial.plugin";

// One loaded plugin file. Its services must outlive deinit(); the library is unloaded
// when this object is destroyed.
struct PluginFile {
    fs::path path;
    boost::dll::shared_library library;
    const anyserial_plugin_entry_t *entry = nullptr;
    std::unique_ptr<HostServices> services;
    bool initialised = false;

    void deinit() noexcept {
        if (!initialised) return;
        initialised = false;
        if (entry->deinit == nullptr) return;
        try {
            entry->deinit();
        } catch (...) {
            log::write(kLogger, log::Level::error,
                       "plugin " + path.string() + ": deinit threw a C++ exception");
        }
    }
};

// Boost.DLL's error_code for a failed load is terse ("No such file or directory" for
// an unresolved symbol): ask the dynamic loader for its own text.
std::string load_failure_text(const fs::path &file, const std::error_code &ec) {
    void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char *err = dlerror();
        if (err != nullptr) return err;
    } else {
        dlclose(handle);
    }
    return ec.message();
}

fs::path canonical_or_absolute(const fs::path &p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(p, ec);
    if (!ec) return c;
    c = fs::absolute(p, ec);
    return ec ? p : c;
}

std::string str_or_empty(const char *s) {
    return s != nullptr ? std::string(s) : std::string();
}

// The fields every plugin record takes from its (backend or protocol) descriptor.
template <class Descriptor>
PluginRecord descriptor_record(const Descriptor &d, PluginKind kind, const std::string &abi,
                               const fs::path &path) {
    PluginRecord rec;
    rec.id = d.id;
    rec.kind = kind;
    rec.name = str_or_empty(d.name);
    rec.vendor = str_or_empty(d.vendor);
    rec.version = str_or_empty(d.version);
    rec.description = str_or_empty(d.description);
    rec.abi = abi;
    rec.path = path;
    return rec;
}

// The refusal text for a plugin that answers only the retired protocol factory id.
constexpr const char *kProtocolV1 = "anyserial.protocol/1";
std::optional<std::string> offers_only_v1(const PluginFile &pf) {
    const void *v1 = nullptr;
    try {
        v1 = pf.entry->get_factory(kProtocolV1);
    } catch (...) {
        return std::nullopt;
    }
    if (v1 == nullptr) return std::nullopt;
    return std::string("offers only ") + kProtocolV1 + "; this host speaks " +
           ANYSERIAL_PROTOCOL_FACTORY_ID + " \u2014 rebuild against SDK " +
           std::to_string(abi_major) + "." + std::to_string(abi_minor);
}
std::string abi_text(std::uint32_t major, std::uint32_t minor, std::uint32_t patch) {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace

struct PluginHost::Impl {
    std::vector<std::unique_ptr<PluginFile>> files;  // load order
    std::vector<std::unique_ptr<BackendProvider>> backends;
    std::vector<std::unique_ptr<ProtocolProvider>> protocols;
    std::vector<PluginRecord> records;
    std::vector<RefusedPlugin> refused;
    std::vector<fs::path> searched;
    std::set<fs::path> seen_dirs;
    std::set<fs::path> seen_files;
    HostServices generic{abi_major, abi_minor, abi_patch};
    bool allow_insecure = false;  // load from world-writable places (with a warning)

    ~Impl() {
        // Providers point into plugin memory: drop them before any library goes.
        backends.clear();
        protocols.clear();
        for (auto it = files.rbegin(); it != files.rend(); ++it) {
            (*it)->deinit();
            it->reset();  // unload
        }
    }

    void refuse(const fs::path &path, std::string reason) {
        log::write(kLogger, log::Level::warn, "refused plugin " + path.string() + ": " + reason);
        refused.push_back({path, std::move(reason)});
    }

    void load(const fs::path &file);
    // Everything after the entry is known: version, init, factories, providers.
    void adopt(std::unique_ptr<PluginFile> pf);
    // Returns how many providers were accepted from the file.
    std::size_t accept_backends(PluginFile &pf, const anyserial_backend_factory_t &f,
                                const std::string &abi);
    std::size_t accept_protocols(PluginFile &pf, const anyserial_protocol_factory_t &f,
                                 const std::string &abi);
    std::optional<std::string> claim_conflict(const BackendProvider &candidate) const;

    const BackendProvider *backend_by_id(std::string_view id) const noexcept {
        for (const auto &b : backends)
            if (b->record().id == id) return b.get();
        return nullptr;
    }
    const ProtocolProvider *protocol_by_id(std::string_view id) const noexcept {
        for (const auto &p : protocols)
            if (p->record().id == id) return p.get();
        return nullptr;
    }
};

void PluginHost::Impl::load(const fs::path &file_in) {
    const fs::path file = canonical_or_absolute(file_in);
    if (!seen_files.insert(file).second) {
        log::write(kLogger, log::Level::debug, "plugin " + file.string() + " already loaded");
        return;
    }
    // dlopen runs the file's constructors: refuse what can be refused before that.
    const plugin_detail::FileVerdict verdict =
        plugin_detail::check_plugin_file(file_in, file, allow_insecure);
    for (const std::string &w : verdict.warnings)
        log::write(kLogger, log::Level::warn, "plugin " + file.string() + ": " + w);
    if (verdict.refusal) return refuse(file, *verdict.refusal);

    auto pf = std::make_unique<PluginFile>();
    pf->path = file;

    std::error_code ec;
    pf->library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec || !pf->library.is_loaded())
        return refuse(file, "cannot load: " + load_failure_text(file, ec));
    if (!pf->library.has(ANYSERIAL_ENTRY_SYMBOL))
        return refuse(file, "no '" ANYSERIAL_ENTRY_SYMBOL
                            "' symbol exported (not an anyserial plugin, or the entry lacks "
                            "C linkage / default visibility)");
    pf->entry = &pf->library.get<const anyserial_plugin_entry_t>(ANYSERIAL_ENTRY_SYMBOL);
    adopt(std::move(pf));
}

void PluginHost::Impl::adopt(std::unique_ptr<PluginFile> pf) {
    const fs::path file = pf->path;
    const anyserial_plugin_entry_t &entry = *pf->entry;

    // Only the three version fields are fixed forever: check them before anything else.
    if (entry.abi_major != abi_major)
        return refuse(file, "plugin ABI major " + std::to_string(entry.abi_major) +
                                ", host supports " + std::to_string(abi_major));
    const std::uint32_t minor = std::min(entry.abi_minor, abi_minor);
    const std::uint32_t patch = entry.abi_minor < abi_minor ? entry.abi_patch
                                : entry.abi_minor > abi_minor
                                    ? abi_patch
                                    : std::min(entry.abi_patch, abi_patch);
    const std::string abi = abi_text(abi_major, minor, patch);
    if (entry.init == nullptr) return refuse(file, "entry has a NULL init");
    if (entry.get_factory == nullptr) return refuse(file, "entry has a NULL get_factory");

    pf->services = std::make_unique<HostServices>(abi_major, minor, patch);
    int32_t status = ANYSERIAL_E_INTERNAL;
    pf->services->start_capture();
    try {
        status = entry.init(&pf->services->c());
    } catch (...) {
        pf->services->stop_capture();
        return refuse(file, "init threw a C++ exception across the C ABI");
    }
    const std::string init_message = pf->services->stop_capture();
    if (status != ANYSERIAL_OK) {
        std::string reason = "init failed with " + plugin_detail::status_text(status);
        if (!init_message.empty()) reason += ": " + init_message;
        return refuse(file, std::move(reason));
    }
    pf->initialised = true;

    const void *bf = nullptr;
    const void *pfac = nullptr;
    try {
        bf = entry.get_factory(ANYSERIAL_BACKEND_FACTORY_ID);
        pfac = entry.get_factory(ANYSERIAL_PROTOCOL_FACTORY_ID);
    } catch (...) {
        pf->deinit();
        return refuse(file, "get_factory threw a C++ exception across the C ABI");
    }
    if (pfac == nullptr) {
        if (auto old = offers_only_v1(*pf)) {
            if (bf == nullptr) {
                pf->deinit();
                return refuse(file, *old);
            }
            refuse(file, "protocols skipped: " + *old);
        }
    }
    if (bf == nullptr && pfac == nullptr) {
        pf->deinit();
        return refuse(file, "get_factory returned neither \"" ANYSERIAL_BACKEND_FACTORY_ID
                            "\" nor \"" ANYSERIAL_PROTOCOL_FACTORY_ID "\"");
    }

    std::size_t accepted = 0;
    const std::size_t refusals_before = refused.size();
    try {
        if (bf != nullptr)
            accepted +=
                accept_backends(*pf, *static_cast<const anyserial_backend_factory_t *>(bf), abi);
        if (pfac != nullptr)
            accepted += accept_protocols(
                *pf, *static_cast<const anyserial_protocol_factory_t *>(pfac), abi);
    } catch (const std::bad_alloc &) {
        throw;
    } catch (...) {
        // A factory or descriptor call threw: drop whatever this file contributed.
        std::erase_if(backends, [&](const auto &b) { return b->record().path == file; });
        std::erase_if(protocols, [&](const auto &p) { return p->record().path == file; });
        std::erase_if(records, [&](const auto &r) { return r.path == file; });
        pf->deinit();
        return refuse(file, "a factory function threw a C++ exception across the C ABI");
    }
    if (accepted == 0) {
        pf->deinit();
        if (refused.size() == refusals_before) refuse(file, "provides no backends or protocols");
        return;
    }
    log::write(kLogger, log::Level::debug,
               "loaded plugin " + file.string() + " (ABI " + abi + ", " + std::to_string(accepted) +
                   " provider(s))");
    files.push_back(std::move(pf));
}

std::optional<std::string> PluginHost::Impl::claim_conflict(const BackendProvider &c) const {
    for (const auto &b : backends) {
        const auto owner = "backend '" + b->record().id + "' (" + b->record().path.string() + ")";
        for (const auto &s : c.schemes())
            if (std::find(b->schemes().begin(), b->schemes().end(), s) != b->schemes().end())
                return "URL scheme '" + s + "://' is already claimed by " + owner;
        for (const auto &p : c.prefixes())
            if (std::find(b->prefixes().begin(), b->prefixes().end(), p) != b->prefixes().end())
                return "path prefix '" + p + "' is already claimed by " + owner;
    }
    return std::nullopt;
}

std::size_t PluginHost::Impl::accept_backends(PluginFile &pf, const anyserial_backend_factory_t &f,
                                              const std::string &abi) {
    if (auto problem = plugin_detail::check_backend_factory(f)) {
        refuse(pf.path, *problem);
        return 0;
    }
    std::size_t accepted = 0;
    const std::uint32_t n = f.count();
    if (auto problem = plugin_detail::check_provider_count("backend", n)) {
        refuse(pf.path, *problem);
        return 0;
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        const anyserial_backend_descriptor_t *d = f.get_descriptor(i);
        if (auto problem = plugin_detail::check_backend_descriptor(d)) {
            refuse(pf.path, "backend #" + std::to_string(i) + ": " + *problem);
            continue;
        }
        const std::string id = d->id;
        if (const LoadedBackend *other = backend_by_id(id)) {
            refuse(pf.path, "backend id '" + id + "' is already provided by " +
                                other->record().path.string());
            continue;
        }
        PluginRecord rec = descriptor_record(*d, PluginKind::backend, abi, pf.path);
        rec.backend_kind = plugin_detail::backend_kind_name(d->kind);
        rec.platform = str_or_empty(d->platform);
        for (const auto &p : plugin_detail::path_prefixes(*d))
            rec.claims.push_back(p);
        for (const auto &s : plugin_detail::url_schemes(*d))
            rec.claims.push_back(s + "://");
        auto provider = std::make_unique<BackendProvider>(rec, *d, f);
        if (auto conflict = claim_conflict(*provider)) {
            refuse(pf.path, "backend '" + id + "': " + *conflict);
            continue;
        }
        records.push_back(std::move(rec));
        backends.push_back(std::move(provider));
        ++accepted;
    }
    return accepted;
}

std::size_t PluginHost::Impl::accept_protocols(PluginFile &pf,
                                               const anyserial_protocol_factory_t &f,
                                               const std::string &abi) {
    const plugin_detail::ProtocolFactoryProxy factory(f);
    if (auto problem = factory.check()) {
        refuse(pf.path, *problem);
        return 0;
    }
    std::size_t accepted = 0;
    const std::uint32_t n = factory.count();
    if (auto problem = plugin_detail::check_provider_count("protocol", n)) {
        refuse(pf.path, *problem);
        return 0;
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        const anyserial_protocol_descriptor_t *d = factory.descriptor(i);
        if (auto problem = plugin_detail::check_protocol_descriptor(d)) {
            refuse(pf.path, "protocol #" + std::to_string(i) + ": " + *problem);
            continue;
        }
        const std::string id = d->id;
        if (const LoadedProtocol *other = protocol_by_id(id)) {
            refuse(pf.path, "protocol id '" + id + "' is already provided by " +
                                other->record().path.string());
            continue;
        }
        PluginRecord rec = descriptor_record(*d, PluginKind::protocol, abi, pf.path);
        rec.device_family = str_or_empty(d->device_family);
        rec.mode = d->mode != nullptr && *d->mode != '\0' ? d->mode : id;
        records.push_back(rec);
        protocols.push_back(std::make_unique<ProtocolProvider>(std::move(rec), *d, f));
        ++accepted;
    }
    return accepted;
}
// ---- public interface -------------------------------------------------------------------

PluginHost::PluginHost() : impl_(std::make_unique<Impl>()) {
    const char *env = std::getenv("ANYSERIAL_ALLOW_INSECURE_PLUGINS");
    impl_->allow_insecure = env != nullptr && env[0] != '\0' && std::string_view(env) != "0";
}

void PluginHost::allow_insecure_plugins(bool allow) noexcept {
    impl_->allow_insecure = allow;
}
PluginHost::~PluginHost() = default;

void PluginHost::load_default(const std::vector<fs::path> &extra_dirs) {
    for (const auto &dir : plugin_detail::default_plugin_dirs())
        load_directory(dir);
    if (const char *env = std::getenv("ANYSERIAL_PLUGIN_PATH"))
        for (const auto &dir : plugin_detail::split_path_list(env))
            load_directory(dir);
    for (const auto &dir : extra_dirs)
        load_directory(dir);
}

void PluginHost::load_directory(const fs::path &dir_in) {
    const fs::path dir = canonical_or_absolute(dir_in);
    if (!impl_->seen_dirs.insert(dir).second) return;  // each directory once
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        log::write(kLogger, log::Level::warn,
                   "plugin directory " + dir_in.string() + " does not exist or is not a directory");
        return;
    }
    impl_->searched.push_back(dir);
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code fec;
        if (plugin_detail::is_plugin_file_name(it->path().filename().native()) &&
            it->is_regular_file(fec))
            files.push_back(it->path());
    }
    if (ec)
        log::write(kLogger, log::Level::warn,
                   "cannot list plugin directory " + dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto &f : files)
        load_file(f);
}

void PluginHost::load_file(const fs::path &file) {
    impl_->load(file);
}

void PluginHost::add_static(const anyserial_plugin_entry_t &entry, std::string_view name) {
    const fs::path pseudo = "static:" + std::string(name);
    if (!impl_->seen_files.insert(pseudo).second) return;
    auto pf = std::make_unique<PluginFile>();
    pf->path = pseudo;
    pf->entry = &entry;
    impl_->adopt(std::move(pf));
}

const std::vector<PluginRecord> &PluginHost::plugins() const noexcept {
    return impl_->records;
}
const std::vector<RefusedPlugin> &PluginHost::refused() const noexcept {
    return impl_->refused;
}
const std::vector<fs::path> &PluginHost::searched_directories() const noexcept {
    return impl_->searched;
}

const LoadedBackend *PluginHost::backend_for(std::string_view port) const noexcept {
    if (const auto sep = port.find("://"); sep != std::string_view::npos && sep > 0) {
        std::string scheme(port.substr(0, sep));
        for (char &ch : scheme)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        for (const auto &b : impl_->backends)
            if (std::find(b->schemes().begin(), b->schemes().end(), scheme) != b->schemes().end())
                return b.get();
        return nullptr;
    }
    const LoadedBackend *best = nullptr;
    std::size_t best_len = 0;
    for (const auto &b : impl_->backends)
        for (const auto &prefix : b->prefixes())
            if (port.starts_with(prefix) && prefix.size() > best_len) {
                best = b.get();
                best_len = prefix.size();
            }
    return best;
}

PortTarget PluginHost::resolve_port(std::string_view port) const {
    const bool url = port.find("://") != std::string_view::npos;
    if (!url && !port.empty()) {
        std::error_code ec;
        const fs::path real = fs::canonical(fs::path(port), ec);
        if (!ec && real.native() != port)
            if (const LoadedBackend *b = backend_for(real.native())) return {b, real.native()};
    }
    return {backend_for(port), std::string(port)};
}

const LoadedBackend *PluginHost::backend(std::string_view id) const noexcept {
    return impl_->backend_by_id(id);
}

std::vector<const LoadedBackend *> PluginHost::backends() const {
    std::vector<const LoadedBackend *> out;
    for (const auto &b : impl_->backends)
        out.push_back(b.get());
    return out;
}

const LoadedProtocol *PluginHost::protocol(std::string_view id) const noexcept {
    return impl_->protocol_by_id(id);
}

std::vector<const LoadedProtocol *> PluginHost::protocols() const {
    std::vector<const LoadedProtocol *> out;
    for (const auto &p : impl_->protocols)
        out.push_back(p.get());
    return out;
}

std::vector<const LoadedProtocol *> PluginHost::protocols_in_family(std::string_view family) const {
    std::vector<const LoadedProtocol *> out;
    for (const auto &p : impl_->protocols)
        if (p->record().device_family == family) out.push_back(p.get());
    std::sort(out.begin(), out.end(), [](const LoadedProtocol *a, const LoadedProtocol *b) {
        if (a->descriptor().probe_rank != b->descriptor().probe_rank)
            return a->descriptor().probe_rank < b->descriptor().probe_rank;
        return a->record().id < b->record().id;
    });
    return out;
}

const LoadedProtocol *PluginHost::protocol_by_mode(std::string_view family,
                                                   std::string_view mode) const {
    for (const auto &p : impl_->protocols)
        if (p->model().family == family && p->model().mode == mode) return p.get();
    return nullptr;
}
std::vector<std::string> PluginHost::families() const {
    std::set<std::string> out;
    for (const auto &p : impl_->protocols)
        if (!p->model().family.empty()) out.insert(p->model().family);
    return {out.begin(), out.end()};
}
const anyserial_host_t &PluginHost::c_host() const noexcept {
    return impl_->generic.c();
}

}  // namespace anyserial
