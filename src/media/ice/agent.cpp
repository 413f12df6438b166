// ICE agent, part 1: configuration, candidates and the check list. Time is in agent_schedule.cpp,
// the wire (checks, answers, nomination) in agent_checks.cpp.

#include "media/ice/agent.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace jigasi::media::ice {

std::string_view to_string(role r) { return r == role::controlling ? "controlling" : "controlled"; }

std::string_view to_string(agent_state s) {
    switch (s) {
    case agent_state::idle: return "idle";
    case agent_state::checking: return "checking";
    case agent_state::connected: return "connected";
    case agent_state::failed: return "failed";
    case agent_state::closed: return "closed";
    }
    return "?";
}

std::string_view to_string(pair_state s) {
    switch (s) {
    case pair_state::frozen: return "frozen";
    case pair_state::waiting: return "waiting";
    case pair_state::in_progress: return "in-progress";
    case pair_state::succeeded: return "succeeded";
    case pair_state::failed: return "failed";
    }
    return "?";
}

namespace {

std::uint64_t random_u64(const random_fn& random) {
    std::array<std::uint8_t, 8> b{};
    if (!(random ? random(b) : system_random(b))) return 0;
    std::uint64_t v = 0;
    for (auto x : b) v = v << 8 | x;
    return v;
}

}  // namespace

agent::agent(agent_config cfg, credentials local)
    : cfg_(std::move(cfg)), local_creds_(std::move(local)), role_(cfg_.initial_role),
      rng_(random_u64(cfg_.random)) {
    tie_breaker_ = cfg_.tie_breaker ? *cfg_.tie_breaker : random_u64(cfg_.random);
    cfg_.max_transmissions = std::max(1u, cfg_.max_transmissions);
}

// --- candidates ---

std::optional<std::size_t> agent::add_local(candidate c) {
    // Bounded: every new mapped address in an authenticated answer would otherwise add one.
    if (local_.size() >= max_local_candidates) return std::nullopt;
    // RFC 8445 §5.1.1.3: the same type, base address and server share a foundation. Every base
    // here is a distinct address, so a counter gives each (type, base) its own.
    if (c.foundation.empty()) c.foundation = std::to_string(next_foundation_++);
    local_.push_back(std::move(c));
    return local_.size() - 1;
}

void agent::add_host_candidate(const endpoint& e) {
    if (find_local(e)) return;
    std::size_t hosts = 0;
    for (const auto& c : local_) hosts += c.type == candidate_type::host;
    // Local preference (§5.1.2.1): caller order, loopback last (it only reaches the same machine).
    const auto pref = static_cast<std::uint16_t>((e.is_loopback() ? 0 : 0x8000) + 0x7FFF - std::min<std::size_t>(hosts, 0x7FFF));
    candidate c;
    c.type = candidate_type::host;
    c.address = c.base = e;
    c.priority = candidate_priority(type_preference(candidate_type::host), pref);
    const auto li = add_local(std::move(c));
    if (!li) return;
    for (std::size_t r = 0; r < remote_.size(); ++r) add_pair(*li, r, pair_state::frozen, true);
    unfreeze();
}

std::optional<std::size_t> agent::find_local(const endpoint& e) const {
    for (std::size_t i = 0; i < local_.size(); ++i)
        if (local_[i].address == e) return i;
    return std::nullopt;
}

std::optional<std::size_t> agent::find_remote(const endpoint& e) const {
    for (std::size_t i = 0; i < remote_.size(); ++i)
        if (remote_[i].address == e) return i;
    return std::nullopt;
}

std::optional<std::size_t> agent::find_pair(std::size_t l, std::size_t r) const {
    for (std::size_t i = 0; i < pairs_.size(); ++i)
        if (pairs_[i].local == l && pairs_[i].remote == r) return i;
    return std::nullopt;
}

std::optional<std::size_t> agent::local_for(const endpoint& from, const endpoint* hint) const {
    // The socket may know where the datagram arrived (hint); else a host candidate of the same
    // family, loopback for loopback, else any of the family.
    std::optional<std::size_t> loop_match, any;
    for (std::size_t i = 0; i < local_.size(); ++i) {
        const auto& c = local_[i];
        if (c.type != candidate_type::host || !c.address.same_family(from)) continue;
        if (hint && c.address == *hint) return i;
        if (!loop_match && c.address.is_loopback() == from.is_loopback()) loop_match = i;
        if (!any) any = i;
    }
    return loop_match ? loop_match : any;
}

std::optional<core::error> agent::set_remote_credentials(std::string ufrag, std::string pwd) {
    if (!valid_ufrag(ufrag) || !valid_pwd(pwd))
        return core::error{core::errc::bad_input, "ice: remote ufrag/pwd do not follow RFC 8839 §5.4"};
    remote_creds_ = credentials{std::move(ufrag), std::move(pwd)};
    return std::nullopt;
}

std::optional<core::error> agent::add_remote_candidate(const media::ice_candidate& c) {
    auto r = from_description(c);
    if (!r) return r.error();
    return add_remote_candidate(*r);
}

std::optional<core::error> agent::add_remote_candidate(const candidate& c) {
    if (state_ == agent_state::closed || state_ == agent_state::failed)
        return core::error{core::errc::unavailable, "ice: agent is " + std::string(to_string(state_))};
    if (c.component != 1 || c.address.port == 0 || c.priority == 0)
        return core::error{core::errc::bad_input, "ice: unusable remote candidate"};
    if (auto ri = find_remote(c.address)) {
        // RFC 8445 §7.3.1.3 / RFC 8838 §11.4: a signalled candidate replaces a prflx one learned
        // from a check; the signalled one wins on type, foundation and priority.
        auto& r = remote_[*ri];
        if (r.type == candidate_type::prflx && c.type != candidate_type::prflx) {
            r.type = c.type;
            r.foundation = c.foundation;
            r.priority = c.priority;
            r.related = c.related;
            for (auto& p : pairs_) p.priority = priority_of(p);
        }
        return std::nullopt;
    }
    if (remote_.size() >= cfg_.max_remote_candidates)
        return core::error{core::errc::limit_exceeded, "ice: too many remote candidates"};
    candidate r = c;
    r.base = r.address;
    remote_.push_back(std::move(r));
    form_pairs(remote_.size() - 1);
    return std::nullopt;
}

void agent::end_of_remote_candidates() { end_of_remote_ = true; }

// --- pairs ---

std::uint64_t agent::priority_of(const pair_entry& p) const {
    const auto l = local_[p.local].priority, r = remote_[p.remote].priority;
    return role_ == role::controlling ? pair_priority(l, r) : pair_priority(r, l);
}

bool agent::same_foundation(const pair_entry& a, const pair_entry& b) const {
    return local_[a.local].foundation == local_[b.local].foundation &&
           remote_[a.remote].foundation == remote_[b.remote].foundation;
}

std::optional<std::size_t> agent::add_pair(std::size_t l, std::size_t r, pair_state s, bool in_checklist) {
    const auto& lc = local_[l];
    const auto& rc = remote_[r];
    // Same family only; a loopback address reaches only a loopback address.
    if (!lc.address.same_family(rc.address) || lc.address.is_loopback() != rc.address.is_loopback())
        return std::nullopt;
    if (find_pair(l, r) || pairs_.size() >= cfg_.max_pairs) return std::nullopt;
    pair_entry p;
    p.local = l;
    p.remote = r;
    p.state = s;
    p.in_checklist = in_checklist;
    p.priority = priority_of(p);
    pairs_.push_back(p);
    return pairs_.size() - 1;
}

void agent::form_pairs(std::size_t remote) {
    // RFC 8445 §6.1.2.2/§6.1.2.4: srflx local candidates are replaced by their base (a host
    // candidate) and pruned as redundant, so only host candidates are paired.
    for (std::size_t l = 0; l < local_.size(); ++l)
        if (local_[l].type == candidate_type::host) add_pair(l, remote, pair_state::frozen, true);
    unfreeze();
}

void agent::unfreeze() {
    if (completed_) return;
    // §7.2.5.3.3: a foundation that has succeeded thaws its frozen pairs.
    for (auto& p : pairs_) {
        if (!p.in_checklist || p.state != pair_state::frozen) continue;
        for (const auto& q : pairs_)
            if (q.in_checklist && q.state == pair_state::succeeded && same_foundation(p, q)) {
                p.state = pair_state::waiting;
                break;
            }
    }
    // §6.1.2.6 / §6.1.4.2: a foundation with nothing waiting or in progress starts its best pair.
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
        if (!pairs_[i].in_checklist || pairs_[i].state != pair_state::frozen) continue;
        std::size_t best = i;
        bool busy = false;
        for (std::size_t j = 0; j < pairs_.size() && !busy; ++j) {
            const auto& q = pairs_[j];
            if (!q.in_checklist || !same_foundation(pairs_[i], q)) continue;
            busy = q.state == pair_state::waiting || q.state == pair_state::in_progress;
            if (q.state == pair_state::frozen && q.priority > pairs_[best].priority) best = j;
        }
        if (!busy) pairs_[best].state = pair_state::waiting;
    }
}

void agent::switch_role(role r) {
    if (role_ == r) return;
    role_ = r;
    ++stats_.role_conflicts;
    // §7.3.1.1: the pair priorities depend on who controls.
    for (auto& p : pairs_) p.priority = priority_of(p);
    if (r == role::controlled) {
        nominating_ = false;
        nominate_pair_.reset();
    }
}

void agent::enqueue_triggered(std::size_t pair) {
    if (std::find(triggered_.begin(), triggered_.end(), pair) == triggered_.end()) triggered_.push_back(pair);
}

bool agent::live_check(std::size_t pair, const transaction* except) const {
    for (const auto& t : txs_)
        if (&t != except && t.kind == tx_kind::check && t.pair == pair && !t.cancelled) return true;
    return false;
}

pair_info agent::info(const pair_entry& p) const {
    return pair_info{local_[p.local], remote_[p.remote], p.priority, p.state, p.valid, p.nominated};
}

std::vector<pair_info> agent::pairs() const {
    std::vector<pair_info> out;
    out.reserve(pairs_.size());
    for (const auto& p : pairs_) out.push_back(info(p));
    return out;
}

}  // namespace jigasi::media::ice
