#pragma once
// What carries an XMPP stream: TCP (plain, STARTTLS, direct TLS; one XML stream parsed
// incrementally) or a WebSocket (RFC 7395: one complete element per message, <open/>/<close/>
// instead of the stream tags). The connection drives negotiation and stanzas the same way over
// both; only reading, writing and the stream framing differ.

#include "xmpp/xml_parser.hpp"
#include "xmpp/xml_writer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <string>

namespace jigasi::xmpp {

struct transport_options {
    std::string host;            ///< TCP: the server; WebSocket: taken from the URL
    std::uint16_t port = 5222;
    std::string websocket_url;   ///< non-empty: RFC 7395 over this ws:// or wss:// URL
    bool direct_tls = false;     ///< TCP: TLS from the first byte (XEP-0368)
    bool verify_tls = true;
    std::string ca_file;
    std::string tls_name;        ///< the name the certificate must carry (RFC 6125): XMPP domain for TCP
    std::chrono::seconds connect_timeout{10};
    xml_limits limits;
};

class transport {
public:
    virtual ~transport() = default;

    /// Connects (and for direct TLS / wss, runs the TLS handshake). `diag` says what failed.
    virtual boost::asio::awaitable<boost::system::error_code> open(std::string& diag) = 0;
    /// Reads at least one event (or fails) and appends it to `out`.
    virtual boost::asio::awaitable<boost::system::error_code> read(std::deque<xml_event>& out, std::string& diag) = 0;
    virtual boost::asio::awaitable<boost::system::error_code> write(const std::string& data) = 0;
    /// STARTTLS (RFC 6120 §5.4.3.3): the TLS handshake on the open TCP connection.
    virtual boost::asio::awaitable<boost::system::error_code> start_tls() = 0;
    /// A new stream follows (after STARTTLS or SASL): forget the old one's parser state.
    virtual void restart() = 0;
    /// True once the transport itself is encrypted (direct TLS, STARTTLS done, wss).
    virtual bool tls_active() const = 0;
    virtual bool websocket() const = 0;
    /// How a stanza is written on this transport: inside the stream's default namespace (TCP), or
    /// as a standalone document declaring its namespace (RFC 7395 §3.3.3).
    virtual write_scope scope(std::string_view content_ns) const = 0;
    /// The stream's closing: </stream:stream>, or <close/> (RFC 7395 §3.6).
    virtual std::string closing() const = 0;
    virtual void close() = 0;
    /// "host:port" or the URL, for logs.
    virtual std::string where() const = 0;
};

std::unique_ptr<transport> make_tcp_transport(boost::asio::any_io_executor ex, transport_options o);
std::unique_ptr<transport> make_websocket_transport(boost::asio::any_io_executor ex, transport_options o);

/// A ws:// or wss:// URL split into its parts; false when it is not one.
struct ws_url {
    bool tls = false;
    std::string host, port, target;
};
bool parse_ws_url(std::string_view url, ws_url& out);

}  // namespace jigasi::xmpp
