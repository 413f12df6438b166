#include "xmpp/muc_invite.hpp"

namespace jigasi::xmpp {

namespace {
constexpr std::size_t max_text = 1024;
}

std::optional<muc_invitation> parse_invitation(const element& message) {
    if (message.name() != "message" || message.attr_or("type") == "error") return std::nullopt;
    const element* x = message.child("x", ns::muc_user);
    const element* invite = x ? x->child("invite") : nullptr;
    if (!invite) return std::nullopt;
    auto from = jid::parse(message.attr_or("from"));
    // The room relays it (§7.8.2): from the bare room JID, never an occupant's.
    if (!from || from->local().empty() || !from->resource().empty()) return std::nullopt;
    muc_invitation inv;
    inv.room = *from;
    inv.inviter = std::string(invite->attr_or("from")).substr(0, 3071);
    inv.reason = invite->child_text("reason").substr(0, max_text);
    if (const element* pw = x->child("password")) inv.password = pw->text().substr(0, max_text);
    return inv;
}

}  // namespace jigasi::xmpp
