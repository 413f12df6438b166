#pragma once
// The phone's side of a bridged call: its RTP socket and audio pipeline (media::pipeline::
// phone_audio), driven by the bridge leg's 20 ms clock as the leg's audio_port. Plain RTP with
// symmetric latching: we send to where the phone's RTP comes from (RFC 4961), which also crosses
// NATs, and to the SDP address until the first packet. Runs on the call's strand.
#include "call/bridge_leg.hpp"
#include "media/pipeline/phone_audio.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <atomic>
#include <memory>

namespace jigasi::call {

class phone_port final : public audio_port {
public:
    phone_port(boost::asio::ip::udp::socket socket, std::unique_ptr<media::pipeline::phone_audio> audio,
               boost::asio::ip::udp::endpoint remote, core::log_channel log);

    /// Receives the phone's RTP until the socket closes.
    boost::asio::awaitable<void> receive();
    void close();

    void play(std::span<const std::int16_t> pcm) override;
    bool capture(std::span<std::int16_t> pcm) override;
    void on_dtmf(char key) override;
    /// The phone pressed a key (RFC 4733); nullopt when none is waiting.
    std::optional<char> poll_key() override;

    /// Mute the phone's uplink (the focus' mute IQ, jitsi-protocol.md §3.6): nothing is sent.
    void set_muted(bool m) { muted_ = m; }
    std::optional<media::pipeline::clock::time_point> last_rx() const { return audio_->last_rx(); }
    media::pipeline::leg_stats stats() const { return audio_->stats(); }
    std::uint16_t local_port() const;

private:
    void send(std::span<const std::uint8_t> bytes);

    boost::asio::ip::udp::socket socket_;
    std::unique_ptr<media::pipeline::phone_audio> audio_;
    boost::asio::ip::udp::endpoint remote_;
    bool latched_ = false;
    bool muted_ = false;
    core::log_channel log_;
    std::array<std::uint8_t, 2048> rx_{};
    std::vector<std::uint8_t> tx_;
    std::uint64_t send_errors_ = 0;
};

}  // namespace jigasi::call
