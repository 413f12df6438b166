#include "xmpp/element.hpp"

#include <algorithm>

namespace jigasi::xmpp {

element::element(const element& other) : name_(other.name_), ns_(other.ns_), attrs_(other.attrs_) {
    nodes_.reserve(other.nodes_.size());
    for (const auto& n : other.nodes_) {
        nodes_.push_back(node{n.child ? std::make_unique<element>(*n.child) : nullptr, n.text});
    }
}

element& element::operator=(const element& other) {
    if (this != &other) *this = element(other);  // copy, then move: strong guarantee
    return *this;
}

// --- attributes ---

std::optional<std::string_view> element::attr(std::string_view name) const {
    for (const auto& [k, v] : attrs_) {
        if (k == name) return std::string_view(v);
    }
    return std::nullopt;
}

std::string_view element::attr_or(std::string_view name, std::string_view fallback) const {
    return attr(name).value_or(fallback);
}

element& element::set_attr(std::string name, std::string value) {
    for (auto& [k, v] : attrs_) {
        if (k == name) {
            v = std::move(value);
            return *this;
        }
    }
    attrs_.emplace_back(std::move(name), std::move(value));
    return *this;
}

void element::remove_attr(std::string_view name) {
    std::erase_if(attrs_, [&](const auto& a) { return a.first == name; });
}

// --- children ---

element& element::add(element child) {
    nodes_.push_back(node{std::make_unique<element>(std::move(child)), {}});
    return *nodes_.back().child;
}

element& element::add(std::string name, std::string ns) {
    if (ns.empty()) ns = ns_;
    return add(element(std::move(name), std::move(ns)));
}

element& element::add_text(std::string_view text) {
    if (text.empty()) return *this;
    if (!nodes_.empty() && !nodes_.back().child) {
        nodes_.back().text += text;
    } else {
        nodes_.push_back(node{nullptr, std::string(text)});
    }
    return *this;
}

const element* element::child(std::string_view name, std::string_view ns) const {
    if (ns.empty()) ns = ns_;
    for (const auto& n : nodes_) {
        if (n.child && n.child->is(name, ns)) return n.child.get();
    }
    return nullptr;
}

element* element::child(std::string_view name, std::string_view ns) {
    return const_cast<element*>(std::as_const(*this).child(name, ns));
}

std::vector<const element*> element::children(std::string_view name, std::string_view ns) const {
    if (ns.empty()) ns = ns_;
    std::vector<const element*> out;
    for (const auto& n : nodes_) {
        if (n.child && n.child->is(name, ns)) out.push_back(n.child.get());
    }
    return out;
}

std::vector<const element*> element::elements() const {
    std::vector<const element*> out;
    for (const auto& n : nodes_) {
        if (n.child) out.push_back(n.child.get());
    }
    return out;
}

const element* element::first_element() const {
    for (const auto& n : nodes_) {
        if (n.child) return n.child.get();
    }
    return nullptr;
}

std::size_t element::remove_children(std::string_view name, std::string_view ns) {
    if (ns.empty()) ns = ns_;
    const auto removed =
        std::erase_if(nodes_, [&](const node& n) { return n.child && n.child->is(name, ns); });
    // Text runs that the removed elements separated are merged again (add_text's invariant).
    for (std::size_t i = 1; i < nodes_.size();) {
        if (!nodes_[i].child && !nodes_[i - 1].child) {
            nodes_[i - 1].text += nodes_[i].text;
            nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
    return removed;
}

std::string element::text() const {
    std::string out;
    for (const auto& n : nodes_) {
        if (!n.child) out += n.text;
    }
    return out;
}

std::string element::child_text(std::string_view name, std::string_view ns) const {
    const element* c = child(name, ns);
    return c ? c->text() : std::string();
}

bool element::operator==(const element& other) const {
    if (name_ != other.name_ || ns_ != other.ns_ || attrs_ != other.attrs_ ||
        nodes_.size() != other.nodes_.size()) {
        return false;
    }
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const node& a = nodes_[i];
        const node& b = other.nodes_[i];
        if (static_cast<bool>(a.child) != static_cast<bool>(b.child)) return false;
        if (a.child ? !(*a.child == *b.child) : a.text != b.text) return false;
    }
    return true;
}

}  // namespace jigasi::xmpp
