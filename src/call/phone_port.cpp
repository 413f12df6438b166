#include "call/phone_port.hpp"

#include "media/ice/demux.hpp"

#include <algorithm>
#include "media/rtp/telephone_event.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using asio::ip::udp;

namespace jigasi::call {

phone_port::phone_port(udp::socket socket, std::unique_ptr<media::pipeline::phone_audio> audio, udp::endpoint remote,
                       core::log_channel log)
    : socket_(std::move(socket)), audio_(std::move(audio)), remote_(std::move(remote)), log_(std::move(log)) {
    tx_.resize(std::max<std::size_t>(audio_->max_packet_size(), 1500));
}

std::uint16_t phone_port::local_port() const {
    boost::system::error_code ec;
    return socket_.local_endpoint(ec).port();
}

asio::awaitable<void> phone_port::receive() {
    udp::endpoint from;
    while (socket_.is_open()) {
        auto [ec, n] = co_await socket_.async_receive_from(asio::buffer(rx_), from, asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !socket_.is_open()) co_return;
        if (ec) continue;  // ICMP unreachable from an earlier send: not fatal for UDP
        const std::span<const std::uint8_t> p(rx_.data(), n);
        const auto kind = media::ice::classify(p);
        if (kind != media::ice::packet_kind::rtp && kind != media::ice::packet_kind::rtcp) continue;
        if (!latched_ || from != remote_) {
            log_.log(latched_ ? core::log_level::info : core::log_level::debug, "phone RTP from ", from.address().to_string(),
                     ":", from.port(), latched_ ? " (moved)" : "");
            remote_ = from;  // symmetric RTP (RFC 4961)
            latched_ = true;
        }
        const auto now = media::pipeline::clock::now();
        if (kind == media::ice::packet_kind::rtp) audio_->on_rtp(p, now);
        else audio_->on_rtcp(p, now);
    }
}

void phone_port::close() {
    boost::system::error_code ec;
    if (socket_.is_open()) {
        if (auto n = audio_->write_bye(media::pipeline::clock::now(), tx_)) send({tx_.data(), n});
    }
    socket_.close(ec);
}

void phone_port::send(std::span<const std::uint8_t> bytes) {
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(bytes.data(), bytes.size()), remote_, 0, ec);
    if (ec) ++send_errors_;
}

void phone_port::play(std::span<const std::int16_t> pcm) {
    if (!socket_.is_open()) return;
    const auto now = media::pipeline::clock::now();
    // A prompt is mixed over the conference (not instead of it): the caller keeps hearing people.
    if (prompts_ && prompts_->playing()) {
        mix_.assign(pcm.begin(), pcm.end());
        prompt_frame_.resize(pcm.size());
        if (prompts_->next_frame(prompt_frame_))
            for (std::size_t i = 0; i < mix_.size(); ++i)
                mix_[i] = static_cast<std::int16_t>(std::clamp(int(mix_[i]) + int(prompt_frame_[i]), -32768, 32767));
        pcm = mix_;
    }
    pump_dtmf(now);
    if (auto n = audio_->to_phone(pcm, now, tx_); n && *n) send({tx_.data(), *n});
    while (auto n = audio_->poll_dtmf(now, tx_)) send({tx_.data(), n});
    if (auto n = audio_->poll_rtcp(now, tx_)) send({tx_.data(), n});
}

bool phone_port::capture(std::span<std::int16_t> pcm) {
    auto r = audio_->tick(media::pipeline::clock::now(), pcm);
    // Muted: the bridge gets nothing, so JVB sees a silent participant (jitsi-protocol.md §3.6).
    return r && !muted_;
}

void phone_port::set_dtmf(config::dtmf_method m, bool telephone_event, std::function<void(char)> info) {
    dtmf_method_ = m;
    telephone_event_ = telephone_event;
    dtmf_info_ = std::move(info);
}

void phone_port::on_dtmf(char key) {
    if (key != ',' && !media::rtp::event_from_char(key)) return;
    if (dtmf_queue_.size() >= 64) {
        log_.notice("DTMF queue full: key ", key, " dropped");
        return;
    }
    dtmf_queue_ += key;
}

// One key at a time: 160 ms of tone, then 80 ms apart (ITU-T Q.24 asks for at least 40 ms each).
void phone_port::pump_dtmf(media::pipeline::clock::time_point now) {
    if (dtmf_queue_.empty() || now < next_dtmf_ || audio_->dtmf_busy()) return;
    const char key = dtmf_queue_.front();
    dtmf_queue_.erase(0, 1);
    if (key == ',') {  // a pause, as dial strings write it
        next_dtmf_ = now + std::chrono::milliseconds(500);
        return;
    }
    using m = config::dtmf_method;
    const bool info = dtmf_method_ == m::info || (dtmf_method_ == m::automatic && !telephone_event_);
    if (info) {
        if (dtmf_info_) dtmf_info_(key);
        next_dtmf_ = now + std::chrono::milliseconds(240);
        return;
    }
    if (!telephone_event_) {
        log_.notice("DTMF ", key, " dropped: calls.dtmf is rfc4733 and the phone has no telephone-event");
        return;
    }
    if (auto ev = media::rtp::event_from_char(key); ev && audio_->start_dtmf(*ev, std::chrono::milliseconds(160), now))
        next_dtmf_ = now + std::chrono::milliseconds(240);
}

std::optional<char> phone_port::poll_key() {
    while (auto e = audio_->poll_event()) {
        if (e->report.what != media::rtp::event_report::kind::end) continue;
        auto key = media::rtp::event_to_char(e->report.event);
        if (!key) continue;
        if (key_handler_) key_handler_(*key);
        else relay_queue_ += *key;
    }
    if (relay_queue_.empty()) return std::nullopt;
    const char k = relay_queue_.front();
    relay_queue_.erase(0, 1);
    return k;
}

}  // namespace jigasi::call
