// anyserial — MQTT sink (libmosquitto), delivering from the spool.
//
// mqtt://[user@]host[:port][/PREFIX][?client_id=ID][&cafile=F][&capath=D][&certfile=F]
// [&keyfile=F][&drain_timeout=S][&retry_max=S]. One JSON message per sample, QoS 1, on
// PREFIX/DEVICE/CHANNEL (default prefix "anyserial"); a batch leaves the spool once the
// broker acknowledged every message of it: at least once. Credentials: the URL's user or
// ANYSERIAL_MQTT_USERNAME, ANYSERIAL_MQTT_PASSWORD; ANYSERIAL_MQTT_CLIENT_ID.
#include <mosquitto.h>

#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

#include "sinks/spool.hpp"

namespace anyserial::sinks {

namespace {

using detail::SpooledBatch;

struct Target {
    std::string host = "localhost";
    int port = 1883;
    std::string prefix = "anyserial";
    std::string user, client_id, cafile, capath, certfile, keyfile;
};

// A topic level from a device or channel name: '/', '+', '#' would change the topic.
std::string level(std::string s) {
    for (char &c : s)
        if (c == '/' || c == '+' || c == '#') c = '_';
    return s.empty() ? "_" : s;
}

std::string message(const SpooledBatch &b, std::size_t i) {
    boost::json::object o;
    o["run_id"] = b.run_id;
    o["seq"] = b.first_seq + i;
    o["tick"] = b.tick;
    for (std::size_t c = 0; c < column_count; ++c) {
        std::visit(
            [&](const auto &v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::monostate>) {
                    o[columns()[c]] = nullptr;
                } else {
                    o[columns()[c]] = v;
                }
            },
            b.rows[i][c]);
    }
    return boost::json::serialize(o);
}

class MqttTransport final : public detail::Transport {
  public:
    MqttTransport(Target t, std::string url) : t_(std::move(t)), url_(std::move(url)) {
        static std::once_flag once;
        std::call_once(once, [] { mosquitto_lib_init(); });
    }
    ~MqttTransport() override { disconnect(); }

    void connect() override {
        disconnect();
        if (aborted_) throw SinkError("mqtt", url_, "delivery aborted");
        const char *env_id = std::getenv("ANYSERIAL_MQTT_CLIENT_ID");
        const std::string id = !t_.client_id.empty() ? t_.client_id : env_id ? env_id : "";
        m_ = mosquitto_new(id.empty() ? nullptr : id.c_str(), true, this);
        if (!m_) throw SinkError("mqtt", url_, "cannot create a client");
        mosquitto_connect_callback_set(m_, [](mosquitto *, void *self, int rc) {
            static_cast<MqttTransport *>(self)->connack_ = rc;
        });
        mosquitto_publish_callback_set(m_, [](mosquitto *, void *self, int mid) {
            static_cast<MqttTransport *>(self)->unacked_.erase(mid);
        });
        const char *env_user = std::getenv("ANYSERIAL_MQTT_USERNAME");
        const char *env_pw = std::getenv("ANYSERIAL_MQTT_PASSWORD");
        const std::string user = !t_.user.empty() ? t_.user : env_user ? env_user : "";
        if (!user.empty()) check(mosquitto_username_pw_set(m_, user.c_str(), env_pw), "set user");
        if (!t_.cafile.empty() || !t_.capath.empty()) {
            auto opt = [](const std::string &s) { return s.empty() ? nullptr : s.c_str(); };
            check(mosquitto_tls_set(m_, opt(t_.cafile), opt(t_.capath), opt(t_.certfile),
                                    opt(t_.keyfile), nullptr),
                  "set up TLS");
        }
        // One small message per sample: Nagle + delayed ACK would add 40 ms a batch.
        mosquitto_int_option(m_, MOSQ_OPT_TCP_NODELAY, 1);
        connack_ = -1;
        check(mosquitto_connect(m_, t_.host.c_str(), t_.port, 30), "cannot connect");
        pump([&] { return connack_ >= 0; }, "no CONNACK");
        if (connack_ != 0)
            throw SinkError(
                "mqtt", url_,
                std::string("the broker refused: ") + mosquitto_connack_string(connack_));
    }

    void deliver(const SpooledBatch &b) override {
        unacked_.clear();
        for (std::size_t i = 0; i < b.rows.size(); ++i) {
            const auto &row = b.rows[i];
            const auto *dev = std::get_if<std::string>(&row[col::device]);
            const auto *ch = std::get_if<std::string>(&row[col::channel]);
            const std::string topic = t_.prefix + "/" + level(dev ? *dev : "") + "/" +
                                      (ch ? level(*ch) : std::string("_error"));
            const std::string payload = message(b, i);
            int mid = 0;
            check(mosquitto_publish(m_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                                    payload.data(), 1, false),
                  "publish on " + topic);
            unacked_.insert(mid);
        }
        pump([&] { return unacked_.empty(); }, "no PUBACK");
    }

    void abort() noexcept override { aborted_ = true; }
    void disconnect() noexcept override {
        if (!m_) return;
        mosquitto_disconnect(m_);
        mosquitto_destroy(m_);
        m_ = nullptr;
    }

  private:
    void check(int rc, const std::string &what) const {
        if (rc == MOSQ_ERR_SUCCESS) return;
        const std::string why =
            rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc);
        throw SinkError("mqtt", url_,
                        what + " (" + t_.host + ":" + std::to_string(t_.port) + "): " + why);
    }
    // Runs the client's network loop on this (the delivery) thread until `done`; a lost
    // connection or 10 s without it is a failure: the batch stays spooled.
    template <class Done>
    void pump(Done done, const char *what) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done()) {
            if (aborted_) throw SinkError("mqtt", url_, "delivery aborted");
            if (std::chrono::steady_clock::now() > until)
                throw SinkError("mqtt", url_, std::string(what) + " within 10 s");
            check(mosquitto_loop(m_, 100, 1), "connection");
        }
    }

    Target t_;
    std::string url_;
    mosquitto *m_ = nullptr;
    int connack_ = -1;
    std::set<int> unacked_;
    std::atomic<bool> aborted_{false};
};

Target parse_target(detail::Url &u, const std::string &url) {
    Target t;
    std::string rest = u.base.substr(std::string("mqtt://").size());
    const auto slash = rest.find('/');
    if (slash != std::string::npos) {
        const auto prefix = rest.substr(slash + 1);
        if (!prefix.empty()) t.prefix = prefix;
        rest.resize(slash);
    }
    while (!t.prefix.empty() && t.prefix.back() == '/')
        t.prefix.pop_back();
    if (t.prefix.find_first_of("+#") != std::string::npos || t.prefix.empty())
        throw std::invalid_argument("bad mqtt sink '" + url + "': the topic prefix '" + t.prefix +
                                    "' may not be empty or hold + or #");
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
        t.user = rest.substr(0, at);
        rest = rest.substr(at + 1);
    }
    if (const auto colon = rest.rfind(':'); colon != std::string::npos && rest.back() != ']') {
        const std::string port = rest.substr(colon + 1);
        rest.resize(colon);
        char *end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end || p < 1 || p > 65535)
            throw std::invalid_argument("bad mqtt sink '" + url + "': port '" + port +
                                        "' is not 1..65535");
        t.port = static_cast<int>(p);
    }
    if (!rest.empty()) t.host = rest;
    t.client_id = u.take("client_id").value_or("");
    t.cafile = u.take("cafile").value_or("");
    t.capath = u.take("capath").value_or("");
    t.certfile = u.take("certfile").value_or("");
    t.keyfile = u.take("keyfile").value_or("");
    if (!u.params.empty())
        throw std::invalid_argument("bad mqtt sink '" + url + "': unknown parameter '" +
                                    u.params.front().first + "'");
    return t;
}

}  // namespace

std::unique_ptr<Sink> make_mqtt_sink(std::string url, const NetworkSinkOptions &options) {
    detail::refuse_password("mqtt", url);
    detail::Url u = detail::split_url(url);
    const auto retry = detail::take_retry(u);
    const std::string key = detail::Url{u.base, {}}.str();
    Target t = parse_target(u, url);
    return std::make_unique<detail::SpoolingSink>("mqtt", url, key, options.spool, retry,
                                                  std::make_unique<MqttTransport>(t, url));
}

}  // namespace anyserial::sinks
