#pragma once
// The bridge side of a call's media: answers Jicofo's offer, runs ICE/DTLS-SRTP on its own UDP
// port (media::net), and every 20 ms moves audio between the bridge's audio pipeline
// (media::pipeline::bridge_audio) and the call's other side (`audio_port`: the phone leg, or a
// probe's tone and recorder). Runs on the call's strand.
#include "call/bridge_answer.hpp"
#include "config/config.hpp"
#include "core/log.hpp"
#include "media/net/transport_runner.hpp"
#include "media/pipeline/bridge_audio.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jigasi::call {

/// The call's other side, driven by the leg's 20 ms clock (on the strand).
class audio_port {
public:
    virtual ~audio_port() = default;
    /// This tick's mix of the web speakers (the leg's pcm rate, 20 ms).
    virtual void play(std::span<const std::int16_t> pcm) = 0;
    /// The audio for the bridge this tick; false = nothing (muted, silent): no packet is sent.
    virtual bool capture(std::span<std::int16_t> pcm) = 0;
    /// A web participant pressed a key (RFC 4733 end of event).
    virtual void on_dtmf(char /*key*/) {}
    /// A key the other side pressed, to send to the bridge as RFC 4733; nullopt when none.
    virtual std::optional<char> poll_key() { return std::nullopt; }
    /// True once the other side has sent media (the phone's first RTP).
    virtual bool receiving() const { return true; }
};

struct bridge_leg_options {
    config::media_config media;
    std::uint32_t pcm_rate = 8000;  ///< the phone side's rate (8000 G.711, 16000 G.722/wideband)
    std::string endpoint_id;        ///< our MUC nick
    std::shared_ptr<const media::dtls::certificate> cert;
    /// Our source on a replaced transport (bridge migration keeps it, so the conference sees the
    /// same participant stream); 0: a new random one.
    std::uint32_t ssrc = 0;
    std::string cname;
};

/// Why run() ended.
struct leg_end {
    std::string stage;   ///< "ice", "dtls", "consent", "media timeout", "closed", "pipeline"
    std::string reason;
};

class bridge_leg final : private media::net::transport_handler {
public:
    /// Negotiates the offer and binds the port. Errors: an offer we cannot answer (the reason is
    /// for session-terminate), no free port, no address.
    static core::result<std::unique_ptr<bridge_leg>> create(const boost::asio::any_io_executor& strand,
                                                            const bridge_leg_options& opts,
                                                            const media::description& offer, core::log_channel log);
    ~bridge_leg() override;

    /// The description to send as session-accept.
    const media::description& answer() const { return neg_.answer; }
    std::uint16_t port() const { return runner_->local_port(); }
    std::uint32_t ssrc() const;
    const std::string& cname() const;

    /// Until the transport fails, media stops for media.timeout_s, or close().
    boost::asio::awaitable<leg_end> run(audio_port& port);
    void close();
    /// Ends run() with this reason (the call's own verdict, e.g. the phone's media timeout).
    void end_with(leg_end e) {
        if (!end_) end_ = std::move(e);
        close();
    }

    /// Jingle source-add / source-remove from the focus.
    void add_sources(const std::vector<media::source>& s);
    void remove_sources(const std::vector<media::source>& s);
    /// RFC 4733 toward the bridge.
    bool send_dtmf(char key);

    bool secured() const { return secured_; }
    /// Called once (on the strand) when DTLS-SRTP is up and audio can flow both ways.
    void on_secured(std::function<void()> f) { secured_cb_ = std::move(f); }
    /// Called once (on the strand) when audio has arrived from both sides: the bridge's RTP and
    /// the port's (its receiving()). The call's setup latency ends here.
    void on_flowing(std::function<void()> f) { flowing_cb_ = std::move(f); }
    /// Called about once a second while secured (on the strand): live statistics go out from here.
    void on_second(std::function<void()> f) { second_cb_ = std::move(f); }
    boost::json::object report() const;
    /// One line for the log at the leg's end: packets both ways, losses, concealment, ticks the
    /// clock missed and sends that failed (what an operator checks after "the audio broke up").
    std::string summary() const;
    media::pipeline::leg_stats stats() const { return audio_->stats(); }

private:
    bridge_leg(bridge_answer neg, std::unique_ptr<media::net::transport_runner> r,
               std::unique_ptr<media::pipeline::bridge_audio> a, const bridge_leg_options& opts, core::log_channel log);
    boost::asio::awaitable<void> clock_loop(audio_port& port);
    void tick(audio_port& port, media::net::clock::time_point now);
    void on_secured(const media::net::secured&) override;
    void on_rtp(std::span<const std::uint8_t> packet, media::net::time_point arrival) override;
    void on_rtcp(std::span<const std::uint8_t> packet, media::net::time_point arrival) override;

    bridge_answer neg_;
    std::unique_ptr<media::net::transport_runner> runner_;
    std::unique_ptr<media::pipeline::bridge_audio> audio_;
    bridge_leg_options opts_;
    core::log_channel log_;
    std::unique_ptr<boost::asio::steady_timer> clock_;
    std::vector<std::int16_t> in_, out_;
    std::vector<std::uint8_t> packet_;
    std::function<void()> secured_cb_, flowing_cb_, second_cb_;
    bool secured_ = false, closed_ = false, got_rtp_ = false;
    std::optional<leg_end> end_;
    media::net::time_point secured_at_{}, last_rx_{};
    std::uint64_t ticks_ = 0, late_ticks_ = 0;
    std::optional<char> pending_key_;
    std::uint32_t ssrc_ = 0;
    std::string cname_;
};

}  // namespace jigasi::call
