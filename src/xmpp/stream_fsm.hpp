#pragma once
// Sans-io negotiation of an XMPP stream up to the point where stanzas flow: for a client (RFC 6120
// §4-§7: stream header, STARTTLS, SASL, stream restart, resource binding, then XEP-0198 stream
// management, or the resumption of an earlier session instead of binding) or for a XEP-0114
// component (stream header, handshake). The connection feeds it parser events and performs the
// actions it returns; once ready() it hands every stanza to the layers above instead.

#include "config/config.hpp"
#include "xmpp/element.hpp"
#include "xmpp/sasl.hpp"
#include "xmpp/stream_mgmt.hpp"
#include "xmpp/xml_parser.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace jigasi::xmpp {

enum class stream_errc {
    unsupported_version = 1,  ///< the server's stream is not version 1.0
    tls_unavailable,          ///< TLS required by our config, not offered by the server
    tls_refused,              ///< the server answered <failure/> to <starttls/>
    tls_required_by_server,   ///< the server requires STARTTLS and our config says none
    no_mechanism,             ///< no SASL mechanism we may use (see diagnostic)
    auth_failed,              ///< SASL <failure/> (not-authorized: wrong credentials)
    auth_protocol,            ///< the SASL exchange broke (bad server signature, malformed)
    bind_failed,              ///< resource binding refused
    handshake_failed,         ///< XEP-0114 secret refused
    stream_error,             ///< the server sent <stream:error/> (condition in diagnostic)
    closed,                   ///< the server closed the stream during negotiation
    unexpected,               ///< an element that has no place at this step
};
const std::error_category& stream_category() noexcept;
inline std::error_code make_error_code(stream_errc e) noexcept { return {static_cast<int>(e), stream_category()}; }

/// A session to resume (XEP-0198 §5) instead of binding a resource.
struct resume_point {
    std::string previd;   ///< the id of its <enabled/>
    std::uint32_t h = 0;  ///< stanzas we handled on it
    std::string jid;      ///< the full JID it was bound to (it keeps it)
};

struct stream_settings {
    bool component = false;          ///< XEP-0114 instead of a client stream
    std::string domain;              ///< client: the server's domain; component: the component's
    config::xmpp_tls tls = config::xmpp_tls::starttls;
    bool tls_active = false;         ///< direct TLS: the socket is TLS before the stream starts
    sasl_config sasl;                ///< client: credentials (anonymous when username is empty)
    std::string resource;            ///< client: requested resource; empty lets the server pick
    std::string secret;              ///< component: the shared secret
    bool websocket = false;          ///< RFC 7395 framing: <open/> instead of the stream header
    bool stream_management = true;   ///< client: XEP-0198 when offered (resumable unless ANONYMOUS)
    std::chrono::seconds resume_max{60};   ///< the resumption window asked for in <enable max/>
    std::optional<resume_point> resume;    ///< client: resume this session; a fresh one if refused
};

struct stream_action {
    enum class kind {
        send,       ///< write `data`
        start_tls,  ///< run the TLS client handshake now, then call on_tls_established()
        restart,    ///< reset the parser: a new stream follows (RFC 6120 §4.3.3)
        ready,      ///< negotiation done: stanzas flow
        fail,       ///< give up this connection: `ec`, `data` says why (for logs and health)
    };
    kind type = kind::send;
    std::string data;
    std::error_code ec;
};

/// A <stream:error/> received: its condition and text (RFC 6120 §4.9).
struct stream_error_info {
    std::string condition;
    std::string text;
};
stream_error_info read_stream_error(const element& e);

class stream_fsm {
public:
    using actions = std::vector<stream_action>;

    explicit stream_fsm(stream_settings settings);

    /// The first stream header (after TCP connect, or after the TLS handshake for direct TLS).
    actions start();
    actions on_event(const xml_event& ev);
    actions on_tls_established();

    bool ready() const { return step_ == step::ready; }
    /// Client: the full JID the server bound; component: the component's domain.
    const std::string& jid() const { return jid_; }
    const std::string& stream_id() const { return stream_id_; }
    bool tls_active() const { return settings_.tls_active; }
    /// The server offered XEP-0198 stream management after binding.
    bool sm_offered() const { return sm_offered_; }
    /// XEP-0198 as <enabled/> granted it; nullopt when not offered, off, refused, or resumed.
    const std::optional<sm_grant>& sm() const { return sm_; }
    /// Why the server answered <failed/> to <enable/> (empty otherwise).
    const std::string& sm_failure() const { return sm_failure_; }
    /// settings.resume succeeded: the old session goes on; resumed_h() is the server's count.
    bool resumed() const { return resumed_h_.has_value(); }
    std::optional<std::uint32_t> resumed_h() const { return resumed_h_; }
    /// Why settings.resume gave a fresh session instead ("item-not-found"); empty otherwise.
    const std::string& resume_failure() const { return resume_failure_; }
    /// The SASL mechanism used (empty for a component or before SASL).
    std::string mechanism() const;

private:
    enum class step { idle, header, features, tls, sasl, bind, sm_enable, sm_resume, handshake, ready, failed };

    actions on_header(const stream_header& h);
    actions on_features(const element& f);
    actions on_stanza(const element& e);
    actions on_sasl(const element& e);
    actions on_bind_result(const element& e);
    actions bind();
    actions after_bind();
    actions on_sm(const element& e);
    actions become_ready();
    actions fail(stream_errc code, std::string why);
    std::string header() const;
    std::string out(const element& e) const;
    actions restart_stream();

    stream_settings settings_;
    step step_ = step::idle;
    bool authenticated_ = false;
    bool sm_offered_ = false, bind_offered_ = false;
    std::optional<sasl_client> sasl_;
    std::string jid_, stream_id_;
    std::optional<sm_grant> sm_;
    std::optional<std::uint32_t> resumed_h_;
    std::string sm_failure_, resume_failure_;
};

}  // namespace jigasi::xmpp

template <>
struct std::is_error_code_enum<jigasi::xmpp::stream_errc> : std::true_type {};
