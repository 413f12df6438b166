#include "app/ivr_setup.hpp"

#include "media/prompts/folders.hpp"
#include "media/prompts/prompt_library.hpp"

#include <charconv>

namespace asio = boost::asio;

namespace jigasi::app {

std::shared_ptr<const media::prompts::prompt_library> load_prompts(const config::config& c, core::health_registry& health,
                                                                   core::log_channel& log) {
    const auto folders = media::prompts::search_folders(c.ivr.prompts_folder);
    const auto languages = config::prompt_languages(c);
    std::shared_ptr<media::prompts::prompt_library> library;
    std::string loaded, failed;
    for (const auto& language : languages) {
        auto set = media::prompts::prompt_set::load(language, folders);
        if (!set) {
            // Not critical: calls to rooms still work; only the IVR (and spoken confirmations) do not.
            const bool main = language == c.ivr.language;
            log.error("IVR prompts (", main ? "ivr.language" : "a dial-in number's language", " \"", language,
                      "\") not loaded: ", set.error().diagnostic);
            if (main) {
                health.report("ivr", core::health_state::down, "prompts not loaded: " + set.error().diagnostic, false);
                return nullptr;
            }
            failed += (failed.empty() ? "" : ", ") + language;
            continue;
        }
        log.info("IVR prompts: ", language, ", e.g. ", (*set)->source(media::prompts::prompt_id::enter_meeting_id).string());
        loaded += (loaded.empty() ? "" : ", ") + language;
        if (!library) library = std::make_shared<media::prompts::prompt_library>(*set);
        else library->add(*set);
    }
    if (failed.empty()) health.report("ivr", core::health_state::up, "prompts: " + loaded, false);
    else health.report("ivr", core::health_state::degraded, "prompts: " + loaded + "; not loaded: " + failed, false);
    return library;
}

namespace {
// The ID the digits spell exactly ("0123" is not ID 123); no coroutine here, see GCC 12 in
// sip/strand_op.hpp about structured bindings across co_await.
std::optional<std::uint64_t> exact_id(const std::string& digits) {
    std::uint64_t id = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || std::to_string(id) != digits) return std::nullopt;
    return id;
}

asio::awaitable<std::optional<std::string>> lookup(conference_mapper* mapper, const mapper_client* external,
                                                   failure_budget* failures, core::log_channel log, std::string digits) {
    std::optional<std::string> conference;
    if (auto id = exact_id(digits)) conference = mapper->conference_of(*id);
    if (!conference && external->configured()) {
        auto op = external->lookup(digits);  // named: no temporaries inside the co_await (GCC 12)
        auto r = co_await std::move(op);
        if (r) conference = *r;  // a failure is logged by the client; the caller hears "unknown"
    }
    if (!conference && !failures->take(std::chrono::steady_clock::now()))
        log.notice("meeting ID lookups: too many unknown IDs lately (the shared budget of /conferenceMapper)");
    co_return conference;
}
}  // namespace

call::gateway::meeting_lookup make_meeting_lookup(conference_mapper& mapper, const mapper_client& external,
                                                  failure_budget& failures, core::log_channel log) {
    return [m = &mapper, x = &external, f = &failures, log](std::string digits) {
        return lookup(m, x, f, log, std::move(digits));
    };
}

}  // namespace jigasi::app
