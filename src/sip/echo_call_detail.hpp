#pragma once
// Internals of the echo extension shared by the incoming side (echo_call.cpp) and outgoing calls
// (echo_dial.cpp): one call's state, and the libre handlers both sides register.

#include "sip/echo_call.hpp"
#include "sip/libre.hpp"
#include "sip/sdp.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <utility>

namespace jigasi::sip {

namespace asio = boost::asio;
using asio::ip::udp;

struct echo_calls::call : std::enable_shared_from_this<call> {
    echo_calls* owner = nullptr;
    core::log_channel log;
    struct sipsess* sess = nullptr;
    asio::strand<asio::any_io_executor> relay_strand;
    udp::socket rtp, rtcp;
    sdp::local_capabilities local;
    media::description offer;        ///< ours, for a late-offer call
    std::atomic<bool> ended{false};
    std::uint32_t ssrc = 0;
    std::chrono::seconds limit{3600};  ///< an echo test is short; do not hold a port forever

    // Outgoing calls only (echo_dial.cpp).
    dial_target target;
    std::function<void(const dial_outcome&)> on_outcome;  ///< called once: answered or failed
    dial_outcome outcome;
    std::chrono::steady_clock::time_point dialled_at;
    std::optional<asio::steady_timer> ring_timer;         ///< on the signalling strand

    /// Delivers the outcome once (strand).
    void report() {
        if (auto f = std::exchange(on_outcome, nullptr)) f(outcome);
    }

    call(echo_calls* o, core::log_channel l, asio::any_io_executor ex)
        : owner(o), log(std::move(l)), relay_strand(asio::make_strand(ex)), rtp(relay_strand), rtcp(relay_strand) {}

    /// An even port and the next one, both free, from the configured range (RFC 3550 11).
    bool bind(const config::media_config& m) {
        std::mt19937 rng(std::random_device{}());
        const unsigned pairs = (m.max_port - m.min_port) / 2;
        for (int attempt = 0; attempt < 64 && pairs > 0; ++attempt) {
            const auto port = static_cast<std::uint16_t>(m.min_port + 2 * (rng() % pairs));
            boost::system::error_code ec;
            rtp.open(udp::v4(), ec);
            if (!ec) rtp.bind({udp::v4(), port}, ec);
            if (!ec) rtcp.open(udp::v4(), ec);
            if (!ec) rtcp.bind({udp::v4(), static_cast<std::uint16_t>(port + 1)}, ec);
            if (!ec) return true;
            rtp.close(ec);
            rtcp.close(ec);
        }
        return false;
    }

    asio::awaitable<void> relay();

    void stop_media() {
        asio::post(relay_strand, [self = shared_from_this()] {
            boost::system::error_code ec;
            self->rtp.close(ec);
            self->rtcp.close(ec);
        });
    }
};

namespace echo_detail {
/// The local address the kernel sends from toward `host` (an IP; a name uses the default route):
/// what our SDP states when no public address is configured (a 0.0.0.0 socket has none).
std::string local_address_toward(const std::string& host, const asio::any_io_executor& ex);
sdp::codec codec_named(const std::string& name);
/// Our side of a plain-RTP call (no SRTP yet on the phone leg): the configured codecs and ptime,
/// our RTP port, and the address the peer reaches: the public one if configured, else the local
/// address the kernel uses toward `peer_host`.
sdp::local_capabilities plain_rtp_capabilities(const config::sip_config& sip, const std::string& peer_host,
                                               std::uint16_t port, const asio::any_io_executor& ex);
/// libre's sip_auth_h for an outgoing call (RFC 3261 22.2): the target's credentials, or EAUTH
/// (logged) when it has none. MD5 only: libre's own digest.
int answer_challenge(const dial_target& t, const core::log_channel& log, char** username, char** password,
                     const char* realm);
/// The host of an outgoing call's first hop: the Route when there is one, else the Request-URI.
std::string first_hop_host(const dial_target& t);
/// The transport libre takes for the first hop (RFC 3263 4.1).
sip_transp first_hop_transport(const dial_target& t);
/// Our Contact for an outgoing call: with a public address, the port of our listener.
std::string contact_for(const dial_target& t, const config::sip_config& sip);
int on_offer(mbuf** descp, const sip_msg* msg, void* arg);
int on_answer(const sip_msg* msg, void* arg);
void on_established(const sip_msg* msg, void* arg);
void on_info(struct ::sip* stack, const sip_msg* msg, void* arg);
void on_close(int err, const sip_msg* msg, void* arg);
}  // namespace echo_detail

}  // namespace jigasi::sip
