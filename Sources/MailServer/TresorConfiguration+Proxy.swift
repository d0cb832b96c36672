import ServerKit

extension TresorConfiguration.Listener {
    /// The listener's PROXY protocol settings when `proxy_protocol` is on: its trusted balancers,
    /// and the command deadline's grace as the wait for the header (a header is one short write).
    func proxyProtocol(timing: ConnectionTiming) -> ProxyProtocol? {
        guard proxyProtocol else { return nil }
        return ProxyProtocol(trusted: proxyTrusted, headerTimeout: timing.commandDeadline.grace, timers: timing.timers)
    }
}
