#pragma once
// One XMPP stream over TCP (plain, STARTTLS or direct TLS) or a WebSocket (RFC 7395): connect, negotiate (stream_fsm), then
// carry stanzas. run() reads and writes until the stream ends; request() sends an IQ and waits for
// its answer; a XEP-0199 ping goes out when the stream has been idle, and a stream that stays
// silent after it is declared dead (half-open TCP would otherwise hold a dead call for hours).
// With XEP-0198 enabled (client streams, when the server offers it), a link that breaks under a
// healthy stream is reconnected and the session resumed inside run(): the server keeps our MUC
// presence and queued stanzas, we resend what it had not acknowledged, and nobody above notices.
//
// Every member runs on the executor given at construction, which must be a strand (or a
// single-threaded context): the connection has no locks.

#include "core/log.hpp"
#include "xmpp/element.hpp"
#include "xmpp/stream_fsm.hpp"
#include "xmpp/stream_mgmt.hpp"
#include "xmpp/xml_parser.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace jigasi::xmpp {

struct connection_options {
    std::string host;
    std::uint16_t port = 5222;
    std::string websocket_url;  ///< non-empty: RFC 7395 over this URL instead of host:port
    stream_settings stream;
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds negotiate_timeout{15};  ///< header to ready (TLS, SASL, bind)
    std::chrono::seconds idle_ping{60};          ///< XEP-0199 ping after this long without traffic
    std::chrono::seconds ping_timeout{20};       ///< no answer to it: the stream is dead
    bool verify_tls = true;                      ///< RFC 6125 check of the server certificate
    std::string ca_file;                         ///< extra trust anchors (PEM); system store otherwise
    xml_limits limits;
    /// XEP-0198: how long a broken link may take to resume (the server's <enabled max/> if shorter).
    std::chrono::seconds resume_window{60};
    std::chrono::seconds ack_request{5};         ///< XEP-0198: <r/> for a stanza unacknowledged this long
    sm_limits sm;
};

/// The answer to an IQ: the <iq type='result'/> or <iq type='error'/> element, or why none came.
struct iq_outcome {
    std::error_code ec;       ///< timed_out, or the stream's end
    std::optional<element> reply;
    bool is_error() const { return !reply || reply->attr_or("type") == "error"; }
    /// The stanza error condition of an error reply ("item-not-found"), empty otherwise.
    std::string condition() const;
};

class connection : public std::enable_shared_from_this<connection> {
public:
    using stanza_handler = std::function<void(const element&)>;

    connection(boost::asio::any_io_executor strand, connection_options opts, core::log_channel log);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// TCP connect, TLS and stream negotiation up to ready. On failure the error (stream_errc,
    /// or a system error) and diagnostic() say why.
    boost::asio::awaitable<std::error_code> open();

    /// Carries stanzas until the stream ends (peer close, stream error, dead, close()); each
    /// stanza that is not the answer to a request() goes to `on_stanza`. Returns why it ended.
    /// A broken link of a resumable stream is resumed in between (request() waiters keep waiting);
    /// run() returns only when that fails (timed_out, sm_errc::resume_failed, ...).
    boost::asio::awaitable<std::error_code> run(stanza_handler on_stanza);

    /// Queues a stanza (written in order by run()). A stanza in the content namespace needs no
    /// xmlns; one built with ns::client is written without it.
    void send(const element& stanza);

    /// Sends an IQ (an id is assigned when it has none) and waits for its result or error.
    boost::asio::awaitable<iq_outcome> request(element iq, std::chrono::milliseconds timeout);

    /// Closes the stream politely (</stream:stream>) and then the socket, or stops a resumption;
    /// run() returns. The session is over: the server does not keep it for resuming.
    void close();

    const std::string& jid() const;
    boost::asio::any_io_executor executor() const;
    const std::string& diagnostic() const { return diagnostic_; }
    bool is_open() const;
    std::string next_id();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::string diagnostic_;
};

}  // namespace jigasi::xmpp
