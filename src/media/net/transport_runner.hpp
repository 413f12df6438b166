#pragma once
// Drives a secure_transport over the call's UDP socket: the thin coroutine half of the media
// transport (house style 1). It receives datagrams, runs the transport's timers, performs its
// sends and hands decrypted RTP/RTCP to the call. Everything runs on the socket's executor (the
// call's strand); send_rtp() and friends must be called there too.
#include "core/log.hpp"
#include "media/net/secure_transport.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <memory>
#include <optional>

namespace jigasi::media::net {

class transport_handler {
public:
    virtual ~transport_handler() = default;
    virtual void on_secured(const secured&) {}
    /// A decrypted packet; valid only during the call.
    virtual void on_rtp(std::span<const std::uint8_t> packet, time_point arrival) = 0;
    virtual void on_rtcp(std::span<const std::uint8_t> packet, time_point arrival) = 0;
    virtual void on_candidate(const ice::candidate&) {}
};

struct runner_stats {
    std::uint64_t datagrams_in = 0, bytes_in = 0;
    std::uint64_t datagrams_out = 0, bytes_out = 0;
    std::uint64_t send_errors = 0;  ///< full socket buffer or unreachable: dropped
};

class transport_runner {
public:
    transport_runner(boost::asio::ip::udp::socket socket, std::unique_ptr<secure_transport> t,
                     core::log_channel log);
    ~transport_runner();

    secure_transport& transport() { return *t_; }
    const secure_transport& transport() const { return *t_; }
    std::uint16_t local_port() const;

    /// Until the transport fails (its failure) or close()/cancellation (nullopt).
    boost::asio::awaitable<std::optional<transport_failed>> run(transport_handler& h);

    /// Call after changing the transport from outside (set_remote, start, a trickled candidate):
    /// its sends go out and its timer is re-armed.
    void kick();
    /// Encrypts the plaintext packet in buffer[0, length) in place (the buffer needs
    /// secure_transport::srtp_overhead spare bytes) and sends it. False when not secured or dropped.
    bool send_rtp(std::span<std::uint8_t> buffer, std::size_t length);
    bool send_rtcp(std::span<std::uint8_t> buffer, std::size_t length);
    /// Sends DTLS close_notify and ends run().
    void close();

    const runner_stats& stats() const { return stats_; }

private:
    boost::asio::awaitable<void> receive_loop(transport_handler& h);
    boost::asio::awaitable<void> timer_loop();
    void flush(transport_handler* h);
    void send(const ice::endpoint& to, std::span<const std::uint8_t> bytes);
    bool send_protected(bool rtcp, std::span<std::uint8_t> buffer, std::size_t length);

    boost::asio::ip::udp::socket socket_;
    std::unique_ptr<secure_transport> t_;
    core::log_channel log_;
    boost::asio::steady_timer timer_;
    transport_handler* handler_ = nullptr;
    std::optional<transport_failed> failed_;
    bool closing_ = false;
    runner_stats stats_;
    std::array<std::uint8_t, 2048> rx_{};
};

}  // namespace jigasi::media::net
