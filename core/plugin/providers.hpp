// anyserial — the C++ side of one validated backend or protocol provider.
#pragma once

#include <anyserial/plugin_host.hpp>
#include <string>
#include <vector>

namespace anyserial::plugin_detail {

class BackendProvider final : public LoadedBackend {
  public:
    BackendProvider(PluginRecord record, const anyserial_backend_descriptor_t &descriptor,
                    const anyserial_backend_factory_t &factory);

    const PluginRecord &record() const noexcept override { return record_; }
    const anyserial_backend_descriptor_t &descriptor() const noexcept override { return desc_; }
    const anyserial_backend_factory_t &factory() const noexcept override { return factory_; }
    BackendHandle create() const override;
    const void *extension(const char *id) const noexcept override;

    // Lower-cased schemes ("mock") and path prefixes ("/dev/") this backend claims.
    const std::vector<std::string> &schemes() const noexcept { return schemes_; }
    const std::vector<std::string> &prefixes() const noexcept { return prefixes_; }

  private:
    [[noreturn]] void fail(const std::string &why) const;

    PluginRecord record_;
    const anyserial_backend_descriptor_t &desc_;
    const anyserial_backend_factory_t &factory_;
    std::vector<std::string> schemes_;
    std::vector<std::string> prefixes_;
};

class ProtocolProvider final : public LoadedProtocol {
  public:
    ProtocolProvider(PluginRecord record, const anyserial_protocol_descriptor_t &descriptor,
                     const anyserial_protocol_factory_t &factory);

    const PluginRecord &record() const noexcept override { return record_; }
    const anyserial_protocol_descriptor_t &descriptor() const noexcept override { return desc_; }
    const anyserial_protocol_factory_t &factory() const noexcept override { return factory_; }
    ProtocolSessionHandle create_session(
        const anyserial_protocol_options_t *options) const override;
    const void *extension(const char *id) const noexcept override;

  private:
    [[noreturn]] void fail(const std::string &why) const;

    PluginRecord record_;
    const anyserial_protocol_descriptor_t &desc_;
    const anyserial_protocol_factory_t &factory_;
};

}  // namespace anyserial::plugin_detail
