// anyserial — the C++ side of one validated backend or protocol provider.
#pragma once

#include <anyserial/plugin_host.hpp>
#include <optional>
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

// The protocol factory table ("anyserial.protocol/2"), checked once: every call passes the
// factory as `self` and is guarded against C++ exceptions crossing the ABI.
class ProtocolFactoryProxy {
  public:
    explicit ProtocolFactoryProxy(const anyserial_protocol_factory_t &f) : f_(&f) {}
    // Why the table is unusable (size, NULL functions), or nullopt.
    std::optional<std::string> check() const;
    std::uint32_t count() const { return f_->count(f_); }
    const anyserial_protocol_descriptor_t *descriptor(std::uint32_t i) const {
        return f_->get_descriptor(f_, i);
    }
    std::int32_t create_session(const char *id, const anyserial_protocol_options_t *options,
                                anyserial_protocol_session_t **out) const {
        return f_->create_session(f_, id, options, out);
    }
    const void *extension(const char *protocol_id, const char *ext) const {
        return f_->get_extension != nullptr ? f_->get_extension(f_, protocol_id, ext) : nullptr;
    }
    const anyserial_protocol_factory_t &table() const noexcept { return *f_; }

  private:
    const anyserial_protocol_factory_t *f_;
};

class ProtocolProvider final : public LoadedProtocol {
  public:
    ProtocolProvider(PluginRecord record, const anyserial_protocol_descriptor_t &descriptor,
                     const anyserial_protocol_factory_t &factory);
    const PluginRecord &record() const noexcept override { return record_; }
    const anyserial_protocol_descriptor_t &descriptor() const noexcept override { return desc_; }
    const anyserial_protocol_factory_t &factory() const noexcept override {
        return factory_.table();
    }
    const ProtocolModel &model() const noexcept override { return model_; }
    ProtocolSessionHandle create_session(
        const anyserial_protocol_options_t *options) const override;
    const void *extension(const char *id) const noexcept override;

  private:
    [[noreturn]] void fail(const std::string &why) const;
    PluginRecord record_;
    const anyserial_protocol_descriptor_t &desc_;
    ProtocolFactoryProxy factory_;
    ProtocolModel model_;
};

}  // namespace anyserial::plugin_detail
