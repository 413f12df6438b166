#include "xmpp/jingle_gate.hpp"

namespace jigasi::xmpp {

namespace {

jingle_verdict refuse(const element& iq, stanza_error e, std::string why, const char* jingle_condition = nullptr) {
    jingle_verdict v;
    v.reply = iq_error(iq, e);
    if (jingle_condition) {
        if (element* err = v.reply.child("error")) err->add(jingle_condition, std::string(ns_jingle_errors));
    }
    v.refused = std::move(why);
    return v;
}

}  // namespace

jingle_gate::jingle_gate(jid focus_occupant, jingle::parse_limits limits)
    : focus_(std::move(focus_occupant)), limits_(limits) {}

jingle_verdict jingle_gate::on_iq(const element& iq) {
    auto from = jid::parse(iq.attr_or("from"));
    if (!from || *from != focus_)
        return refuse(iq, {error_type::cancel, "forbidden", "only the focus may start or drive a session"},
                      "not from the focus (" + std::string(iq.attr_or("from")) + ")");
    const element* j = iq.child("jingle", ns::jingle);
    if (!j) return refuse(iq, {error_type::modify, "bad-request", "no jingle element"}, "no <jingle/>");
    auto msg = jingle::parse(*j, jingle::role::responder, limits_);
    if (!msg) return refuse(iq, {error_type::modify, "bad-request", msg.error().diagnostic}, msg.error().diagnostic);
    if (msg->act == jingle::action::unknown)
        return refuse(iq, {error_type::modify, "bad-request", "unknown action " + msg->action_name},
                      "unknown action '" + msg->action_name + "'");
    if (msg->act == jingle::action::session_initiate) {
        sid_ = msg->sid;
    } else if (sid_.empty() || msg->sid != sid_) {
        return refuse(iq, {error_type::cancel, "item-not-found", {}},
                      msg->action_name + " for unknown session '" + msg->sid + "'", "unknown-session");
    } else if (msg->act == jingle::action::other) {
        return refuse(iq, {error_type::cancel, "feature-not-implemented", {}},
                      msg->action_name + " is not supported");
    }
    if (msg->act == jingle::action::session_terminate) sid_.clear();
    jingle_verdict v;
    v.reply = iq_result(iq);
    v.message = std::move(*msg);
    return v;
}

}  // namespace jigasi::xmpp
