#pragma once
// A value or the reason there is none: what every parser and negotiator of the network layers
// returns for input it refuses (std::expected is C++23). Bad input is an expected failure, never
// an exception (house style).

#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace jigasi::core {

/// An error and what caused it, for the log and the reply ("line 7: bad port in m= line").
struct error {
    std::error_code code;
    std::string diagnostic;
};

template <class T>
class result {
public:
    result(T value) : v_(std::move(value)) {}
    result(core::error e) : v_(std::move(e)) {}
    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const core::error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, core::error> v_;
};

}  // namespace jigasi::core
