#pragma once
// Room probes: jigasi-ng joins a conference exactly as a call's XMPP side would (own connection,
// focus request, §3.3 presence, disco, Jingle from the focus, mute IQs), without media, and reports
// how far it got and what the focus offered. An operator's answer to "why can't phones join this
// room?" before a phone is involved; the call layer uses the same room_session.
//
// Without audio the offer is acknowledged (IQ result) but not answered. With audio the probe
// answers it like a call (call::bridge_leg: ICE, DTLS-SRTP, Opus), sends a test tone, records what
// the conference sends and reports the tones it heard and the media statistics. Either way it stays
// for `hold` seconds (or until DELETE), then sends session-terminate and leaves.

#include "config/store.hpp"
#include "core/log.hpp"
#include "core/task_group.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace jigasi::app {

struct probe_request {
    std::string server;  ///< xmpp.servers[].id; empty = the first
    std::string room;    ///< "name" (on the server's muc_domain) or "name@muc.domain"
    std::string display_name = "jigasi-ng probe";
    std::optional<std::string> password;
    std::string nick;  ///< first MUC nick; empty = 8 random hex digits (§3.1)
    std::chrono::seconds hold{60};
    bool audio = false;      ///< answer the offer and exchange audio
    double tone_hz = 1000;   ///< the tone sent to the conference; 0: silence
    std::chrono::seconds record{10};  ///< how much of what is heard is kept (audio.wav)
};

class room_probes {
public:
    static constexpr std::size_t max_running = 8;

    room_probes(boost::asio::io_context& ioc, const config::store& cfg, const core::logger& logger,
                core::task_group& tasks);
    ~room_probes();

    /// Starts a probe; its id, or an error text and whether it is the caller's fault (400) or a
    /// limit (503).
    struct started {
        std::string id;
        std::string error;
        bool busy = false;
    };
    started start(probe_request req);

    /// The probe's report; nullopt for an unknown id. Finished probes are kept (the latest 32).
    std::optional<boost::json::object> report(const std::string& id) const;
    boost::json::array list() const;
    /// What an audio probe heard, as a WAV file; nullopt for an unknown id or a probe without audio.
    std::optional<std::string> recording(const std::string& id) const;
    /// Ends a running probe (session-terminate, leave). False for an unknown id.
    bool stop(const std::string& id);

private:
    struct probe;
    boost::asio::io_context& ioc_;
    const config::store& cfg_;
    const core::logger& logger_;
    core::task_group& tasks_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<probe>> probes_;
    unsigned next_ = 0;
};

}  // namespace jigasi::app
