#pragma once
// Every conference call, live and recently finished, for GET /api/v1/calls, the call records
// file (one JSON line per finished call) and the call metrics (core/call_stats.hpp). The SIP
// side, each call's strand and the HTTP handlers all use it, so every member locks; nothing
// here does I/O but the one append per finished call.
#include "config/config.hpp"
#include "core/call_stats.hpp"
#include "core/log.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace jigasi::call {

/// How a call ended, in words bounded enough to be metric labels.
namespace result {
inline constexpr std::string_view answered = "answered";      ///< audio flowed both ways
inline constexpr std::string_view refused = "refused";        ///< we said no: routing, policy, offer, drain
inline constexpr std::string_view failed = "failed";          ///< the conference or the media failed
inline constexpr std::string_view cancelled = "cancelled";    ///< hung up before it was answered
inline constexpr std::string_view unanswered = "unanswered";  ///< the phone refused or never answered
}  // namespace result

struct call_info {
    std::string id;
    core::call_direction direction = core::call_direction::in;
    std::string origin;        ///< "sip" (dial-in), "rayo", "rest"
    std::string room;          ///< room@muc
    std::string from, to;      ///< the caller and the called, as SIP saw them
    std::string display_name;  ///< in the conference
    std::string state = "joining";  ///< joining, connecting (in), calling/ringing (out), answered, ending, ended
    std::string codec;         ///< the phone's, e.g. PCMU/8000
    std::string occupant;      ///< our occupant JID once in the room
    bool muted = false;
    std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
    std::chrono::steady_clock::time_point started_steady = std::chrono::steady_clock::now();
    std::optional<std::chrono::system_clock::time_point> answered, ended;
    std::optional<double> setup_s;  ///< INVITE or dial until audio flowed both ways
    // Once ended:
    std::string result;        ///< one of call::result
    std::string reason;        ///< short word (a metric label): ok, room_password, media, busy, ...
    std::string detail;        ///< the whole story, for people
    std::string side;          ///< who ended it: phone, conference, gateway, api
    int sip_status = 0;        ///< the final SIP status when the call was refused or failed
    boost::json::object media; ///< bridge and phone statistics at the end
};

class call_registry {
public:
    call_registry(core::call_stats& stats, const core::logger& logger) : stats_(stats), log_(logger, "call", "records") {}

    void begin(call_info c);
    /// Changes a live call (nothing when it has ended).
    void update(const std::string& id, const std::function<void(call_info&)>& change);
    /// Audio flows both ways: records the setup latency once.
    void flowing(const std::string& id);
    /// The call is over: counts the attempt, appends the record to cfg.records_file, and keeps it
    /// among the last cfg.records_kept finished calls.
    void finish(const std::string& id, const config::calls_config& cfg, const std::function<void(call_info&)>& change);

    std::optional<boost::json::object> get(const std::string& id) const;
    /// Live calls first (oldest first), then the finished ones (newest first).
    boost::json::array list() const;
    std::optional<call_info> live(const std::string& id) const;

    static boost::json::object to_json(const call_info& c);

private:
    void append_record(const std::string& path, const call_info& c);

    core::call_stats& stats_;
    core::log_channel log_;
    mutable std::mutex mu_;
    std::map<std::string, call_info> live_;
    std::deque<call_info> finished_;  ///< newest first
    std::string failed_path_;         ///< records file that failed last (logged once)
};

}  // namespace jigasi::call
