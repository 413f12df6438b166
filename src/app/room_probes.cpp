#include "app/room_probes.hpp"

#include "app/probe_audio.hpp"
#include "call/bridge_leg.hpp"
#include "call/room_options.hpp"
#include "media/dtls/certificate.hpp"
#include "xmpp/room_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

#include <cstdio>
#include <random>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace asio::experimental::awaitable_operators;

namespace jigasi::app {

namespace {
constexpr std::size_t keep_finished = 32;
constexpr std::size_t max_timeline = 200;

json::object describe_offer(const xmpp::jingle::message& m) {
    json::array contents;
    for (const auto& s : m.desc.media) {
        json::array codecs, exts, sources, candidates;
        for (const auto& pt : s.payload_types)
            codecs.push_back(json::object{{"pt", pt.pt}, {"name", pt.encoding}, {"rate", pt.clock_rate},
                                          {"channels", pt.channels}});
        for (const auto& e : s.header_extensions) exts.push_back(json::object{{"id", e.id}, {"uri", e.uri}});
        for (const auto& src : s.sources)
            sources.push_back(json::object{{"ssrc", src.ssrc}, {"owner", src.owner}, {"name", src.name}});
        for (const auto& c : s.ice.candidates)
            candidates.push_back(json::object{{"type", c.type}, {"transport", c.transport}, {"address", c.address},
                                              {"port", c.port}});
        contents.push_back(json::object{{"mid", s.mid},
                                        {"codecs", std::move(codecs)},
                                        {"header_extensions", std::move(exts)},
                                        {"sources", std::move(sources)},
                                        {"ice_ufrag", !s.ice.ufrag.empty()},
                                        {"candidates", std::move(candidates)},
                                        {"fingerprint_hash", s.dtls.hash},
                                        {"rtcp_mux", s.rtcp_mux}});
    }
    return json::object{{"sid", m.sid}, {"contents", std::move(contents)}, {"bridge_session", m.bridge_session_id}};
}
}  // namespace

/// One probe: its session, its report (read by HTTP threads under the registry's mutex).
struct room_probes::probe : xmpp::room_observer {
    std::string id;
    asio::strand<asio::io_context::executor_type> strand;
    std::mutex& mutex;
    json::object report;  ///< guarded by mutex
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::unique_ptr<asio::steady_timer> stop_timer;
    bool running = true;  ///< guarded by mutex
    bool stop_requested = false;  ///< on the strand
    core::log_channel log;
    // Audio (on the strand): the offer waiting for media_loop, the running leg, tone and recorder.
    bool want_audio = false;
    double tone_hz = 1000;
    std::chrono::seconds record{10};
    config::media_config media;
    std::optional<xmpp::jingle::message> offer;
    std::unique_ptr<asio::steady_timer> media_wake;
    std::unique_ptr<call::bridge_leg> leg;
    std::shared_ptr<probe_audio> audio;  ///< kept after the leg ends, for audio.wav (guarded by mutex)

    probe(std::string i, asio::io_context& ioc, std::mutex& m, core::log_channel l)
        : id(std::move(i)), strand(asio::make_strand(ioc)), mutex(m), log(std::move(l)) {}

    long long ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    }
    void event(std::string what, json::object extra = {}) {
        std::lock_guard lock(mutex);
        auto& tl = report["timeline"].as_array();
        if (tl.size() >= max_timeline) return;
        extra["ms"] = ms();
        extra["event"] = std::move(what);
        tl.push_back(std::move(extra));
    }
    void set(std::string_view key, json::value v) {
        std::lock_guard lock(mutex);
        report[key] = std::move(v);
    }
    void occupants(xmpp::room_session& s) {
        if (!s.muc()) return;
        json::array list;
        for (const auto& [nick, o] : s.muc()->occupants())
            list.push_back(json::object{{"nick", nick}, {"display_name", o.display_name},
                                        {"role", std::string(xmpp::to_string(o.role))}, {"jigasi", o.is_jigasi()}});
        set("occupants", std::move(list));
    }

    void on_joined(xmpp::room_session& s) override {
        set("state", "joined");
        set("nick", json::string(s.muc()->nick()));
        set("jid", json::string(s.own_jid()));
        event("joined", {{"nick", s.muc()->nick()}});
        occupants(s);
    }
    void on_room_event(xmpp::room_session& s, const xmpp::muc_event& ev) override {
        occupants(s);
        using k = xmpp::muc_event_kind;
        if (ev.kind == k::occupant_joined) event("occupant joined", {{"nick", ev.who.nick}});
        if (ev.kind == k::occupant_left) event("occupant left", {{"nick", ev.who.nick}});
    }
    void on_jingle(xmpp::room_session&, const xmpp::jingle::message& m) override {
        json::object e{{"action", m.action_name}, {"sid", m.sid}};
        using a = xmpp::jingle::action;
        if (m.act == a::session_initiate) {
            set("state", "offered");
            set("offer", describe_offer(m));
            if (want_audio) {
                if (leg) leg->close();  // a new session replaces the old one
                offer = m;
                if (media_wake) media_wake->cancel();
            }
        }
        if (m.act == a::session_terminate && leg) leg->close();
        if ((m.act == a::source_add || m.act == a::source_remove) && leg)
            for (const auto& sec : m.desc.media)
                m.act == a::source_add ? leg->add_sources(sec.sources) : leg->remove_sources(sec.sources);
        if (m.reason) e["reason"] = m.reason->condition;
        event("jingle", std::move(e));
    }
    void on_mute(xmpp::room_session& s, const xmpp::mute_request& r) override {
        // No media to gate, but the presence says what a call would (§3.6).
        if (r.mute) {
            s.presence().audio_muted = true;
            s.publish();
        }
        event("mute", {{"mute", r.mute}, {"actor", r.actor ? r.actor->to_string() : std::string()}});
    }
    void on_av_moderation(xmpp::room_session&, const xmpp::av_moderation& a) override {
        json::object e{{"media", a.media}, {"approved", a.approved}, {"removed", a.removed}};
        if (a.enabled) e["enabled"] = *a.enabled;
        event("av_moderation", std::move(e));
    }

    /// Answers each offer with a bridge leg and runs it; never returns on its own (the session or
    /// the hold ends the probe).
    asio::awaitable<void> media_loop(xmpp::room_session& s) {
        media_wake = std::make_unique<asio::steady_timer>(strand);
        for (;;) {
            if (!offer) {
                media_wake->expires_after(std::chrono::hours(1));
                co_await media_wake->async_wait(asio::as_tuple(asio::use_awaitable));
                if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
                continue;
            }
            auto m = std::move(*offer);
            offer.reset();
            co_await answer(s, m);
        }
    }

    asio::awaitable<void> answer(xmpp::room_session& s, const xmpp::jingle::message& m) {
        auto cert = media::dtls::process_certificate();
        if (!cert) {
            event("media failed", {{"stage", "certificate"}, {"reason", cert.error().diagnostic}});
            co_return;
        }
        call::bridge_leg_options lo;
        lo.media = media;
        lo.pcm_rate = 16000;  // wideband: what a G.722 phone gets
        lo.endpoint_id = s.muc() ? s.muc()->nick() : std::string();
        lo.cert = *cert;
        auto l = call::bridge_leg::create(strand, lo, m.desc, log);
        if (!l) {
            log.warning("cannot answer the offer: ", l.error().diagnostic);
            event("media failed", {{"stage", "answer"}, {"reason", l.error().diagnostic}});
            s.terminate_jingle({"failed-application", l.error().diagnostic});
            co_return;
        }
        leg = std::move(*l);
        {
            std::lock_guard lock(mutex);
            audio = std::make_shared<probe_audio>(lo.pcm_rate, tone_hz, record, mutex);
        }
        auto accepted = co_await s.send_jingle(xmpp::jingle::build_session_accept(leg->answer(), m.sid, s.own_jid()),
                                               std::chrono::seconds(10));
        event("session-accept", {{"answered", !accepted.is_error()}, {"port", leg->port()}});
        if (accepted.is_error()) {
            log.warning("the focus refused our session-accept: ",
                        accepted.reply ? accepted.condition() : accepted.ec.message());
            leg.reset();
            co_return;
        }
        set("state", "media");
        auto refresh = [this]() -> asio::awaitable<void> {
            asio::steady_timer t(strand);
            for (;;) {
                t.expires_after(std::chrono::seconds(1));
                co_await t.async_wait(asio::use_awaitable);
                publish_media(nullptr);
            }
        };
        auto r = co_await (leg->run(*audio) || refresh());
        std::optional<call::leg_end> end;
        if (r.index() == 0) end = std::get<0>(r);
        publish_media(end ? &*end : nullptr);
        if (end) {
            event("media ended", {{"stage", end->stage}, {"reason", end->reason}});
            // The leg failed on its own: tell the focus, as a call would (XEP-0166 §7.4).
            if (end->stage != "closed")
                s.terminate_jingle({end->stage == "media timeout" ? "timeout" : "connectivity-error", end->reason});
        }
        leg.reset();
    }

    void publish_media(const call::leg_end* end) {
        if (!leg) return;
        auto m = leg->report();
        std::lock_guard lock(mutex);
        m["heard"] = audio->heard();
        m["tone_hz"] = tone_hz;
        m["dtmf"] = audio->keys();
        if (end) m["end"] = json::object{{"stage", end->stage}, {"reason", end->reason}};
        report["media"] = std::move(m);
    }

    asio::awaitable<void> run(xmpp::room_session_options opts, std::chrono::seconds hold) {
        xmpp::room_session s(std::move(opts), log);
        stop_timer = std::make_unique<asio::steady_timer>(strand);
        // The hold ends the probe; stop() ends it early by cancelling the timer.
        auto holder = [this, hold, &s]() -> asio::awaitable<void> {
            const auto deadline = std::chrono::steady_clock::now() + hold;
            while (!stop_requested && std::chrono::steady_clock::now() < deadline) {
                stop_timer->expires_at(deadline);
                co_await stop_timer->async_wait(asio::as_tuple(asio::use_awaitable));
                // Shutdown: leave now rather than hold the drain up.
                if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) break;
            }
            event(stop_requested ? "leaving (DELETE)" : "leaving (hold over)");
            if (leg) {
                publish_media(nullptr);
                leg->close();
            }
            s.terminate_jingle({"success", "probe finished"});
            s.leave("probe finished");
            for (;;) {  // run() returns once the stream has closed
                stop_timer->expires_after(std::chrono::hours(1));
                co_await stop_timer->async_wait(asio::as_tuple(asio::use_awaitable));
            }
        };
        set("state", "connecting");
        auto r = co_await (s.run(*this) || holder() || media_loop(s));
        const auto outcome = r.index() == 0 ? std::get<0>(r) : xmpp::room_outcome{xmpp::room_end::cancelled, "cancelled", {}, {}, {}};
        json::object end{{"why", std::string(xmpp::to_string(outcome.why))}, {"detail", outcome.detail}};
        if (outcome.refusal) end["refusal"] = std::string(xmpp::describe(*outcome.refusal));
        if (!outcome.lobby_room.empty()) end["lobby_room"] = outcome.lobby_room;
        log.info("probe ended: ", xmpp::to_string(outcome.why), ": ", outcome.detail);
        std::lock_guard lock(mutex);
        report["state"] = "ended";
        report["outcome"] = std::move(end);
        report["duration_ms"] = ms();
        running = false;
    }
};

room_probes::room_probes(asio::io_context& ioc, const config::store& cfg, const core::logger& logger,
                         core::task_group& tasks)
    : ioc_(ioc), cfg_(cfg), logger_(logger), tasks_(tasks) {}

room_probes::~room_probes() = default;

room_probes::started room_probes::start(probe_request req) {
    const auto c = cfg_.get();
    const auto* server = call::find_server(*c, req.server);
    if (!server) return {{}, "server: no xmpp.servers entry with id \"" + req.server + "\"", false};
    auto room = call::room_jid(*server, req.room);
    if (!room) return {{}, "room: not a room name or room@muc-domain: " + req.room, false};
    if (!req.nick.empty()) {
        auto occupant = room->with_resource(req.nick);
        if (!occupant || req.nick.size() > 64) return {{}, "nick: not a valid MUC nickname (at most 64 characters)", false};
    }
    auto o = call::session_options(*c, *server, *room, req.display_name);
    o.nick = req.nick;
    o.password = req.password;
    o.presence.status = "probe";

    std::unique_lock lock(mutex_);
    std::size_t running = 0;
    for (const auto& [id, p] : probes_) running += p->running ? 1 : 0;
    if (running >= max_running)
        return {{}, "already " + std::to_string(running) + " probes running (the limit); DELETE one first", true};
    char id[16];
    std::snprintf(id, sizeof id, "p%u-%04x", ++next_, static_cast<unsigned>(std::random_device{}() & 0xffff));
    auto p = std::make_shared<probe>(id, ioc_, mutex_, core::log_channel(logger_, "xmpp", std::string("probe ") + id));
    p->want_audio = req.audio;
    p->tone_hz = req.tone_hz;
    p->record = req.record;
    p->media = c->media;
    p->report = json::object{{"id", id}, {"server", server->id}, {"room", room->to_string()}, {"state", "starting"},
                             {"timeline", json::array{}}, {"hold_s", req.hold.count()}, {"audio", req.audio}};
    // Keep the latest finished ones only.
    while (probes_.size() >= keep_finished + max_running) {
        auto oldest = std::find_if(probes_.begin(), probes_.end(), [](const auto& e) { return !e.second->running; });
        if (oldest == probes_.end()) break;
        probes_.erase(oldest);
    }
    probes_[id] = p;
    lock.unlock();  // the task may start right here, and its reports take the lock
    p->log.info("probe of ", room->to_string(), " on ", server->id, " for up to ", req.hold.count(), " s");
    tasks_.spawn(p->strand, [](std::shared_ptr<probe> p, xmpp::room_session_options o, std::chrono::seconds hold)
                     -> asio::awaitable<void> { co_await p->run(std::move(o), hold); }(p, std::move(o), req.hold),
                 std::string("probe ") + id);
    return {id, {}, false};
}

std::optional<json::object> room_probes::report(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = probes_.find(id);
    if (it == probes_.end()) return std::nullopt;
    return it->second->report;
}

json::array room_probes::list() const {
    std::lock_guard lock(mutex_);
    json::array out;
    for (const auto& [id, p] : probes_)
        out.push_back(json::object{{"id", id}, {"room", p->report.at("room")}, {"state", p->report.at("state")}});
    return out;
}

std::optional<std::string> room_probes::recording(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = probes_.find(id);
    if (it == probes_.end() || !it->second->audio) return std::nullopt;
    return it->second->audio->wav();
}

bool room_probes::stop(const std::string& id) {
    std::shared_ptr<probe> p;
    {
        std::lock_guard lock(mutex_);
        auto it = probes_.find(id);
        if (it == probes_.end()) return false;
        p = it->second;
    }
    asio::post(p->strand, [p] {
        p->stop_requested = true;
        if (p->stop_timer) p->stop_timer->cancel();
    });
    return true;
}

}  // namespace jigasi::app
