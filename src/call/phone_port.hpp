#pragma once
// The phone's side of a bridged call: its RTP socket and audio pipeline (media::pipeline::
// phone_audio), driven by the bridge leg's 20 ms clock as the leg's audio_port. Plain RTP with
// symmetric latching: we send to where the phone's RTP comes from (RFC 4961), which also crosses
// NATs, and to the SDP address until the first packet. Runs on the call's strand.
#include "call/bridge_leg.hpp"
#include "config/config.hpp"
#include "media/pipeline/phone_audio.hpp"
#include "media/prompts/prompt_player.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <functional>
#include <string>
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
    /// A key for the phone (a web participant's, or the API's): queued, then sent one at a time
    /// as RFC 4733 or handed to the SIP INFO sender, as set_dtmf says.
    void on_dtmf(char key) override;
    /// `telephone_event`: the phone negotiated RFC 4733. `info` sends one key as SIP INFO.
    void set_dtmf(config::dtmf_method m, bool telephone_event, std::function<void(char)> info);
    bool receiving() const override { return audio_->last_rx().has_value(); }
    /// Keys the phone presses go to `h` (the call's keypad) instead of the conference; what the
    /// keypad lets through comes back by relay().
    void set_key_handler(std::function<void(char)> h) { key_handler_ = std::move(h); }
    void relay(char key) { relay_queue_ += key; }
    /// Prompts mixed into what the phone hears (the IVR, keypad confirmations); null: none.
    void set_prompts(media::prompts::prompt_player* p) { prompts_ = p; }
    std::size_t frame_samples() const { return audio_->frame_samples(); }
    /// The phone pressed a key (RFC 4733); nullopt when none is waiting.
    std::optional<char> poll_key() override;

    /// Mute the phone's uplink (the focus' mute IQ, jitsi-protocol.md §3.6): nothing is sent.
    void set_muted(bool m) { muted_ = m; }
    std::optional<media::pipeline::clock::time_point> last_rx() const { return audio_->last_rx(); }
    media::pipeline::leg_stats stats() const { return audio_->stats(); }
    std::uint16_t local_port() const;

private:
    void send(std::span<const std::uint8_t> bytes);
    void pump_dtmf(media::pipeline::clock::time_point now);

    boost::asio::ip::udp::socket socket_;
    std::unique_ptr<media::pipeline::phone_audio> audio_;
    boost::asio::ip::udp::endpoint remote_;
    bool latched_ = false;
    bool muted_ = false;
    core::log_channel log_;
    std::array<std::uint8_t, 2048> rx_{};
    std::vector<std::uint8_t> tx_;
    std::uint64_t send_errors_ = 0;
    std::string dtmf_queue_;
    media::pipeline::clock::time_point next_dtmf_{};
    config::dtmf_method dtmf_method_ = config::dtmf_method::automatic;
    bool telephone_event_ = false;
    std::function<void(char)> dtmf_info_;
    std::function<void(char)> key_handler_;
    std::string relay_queue_;
    media::prompts::prompt_player* prompts_ = nullptr;
    std::vector<std::int16_t> mix_, prompt_frame_;
};

}  // namespace jigasi::call
