#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TresorConfiguration {
    /// The configuration in force, one `key = value` line per setting in the file's own names (the
    /// defaults filled in), as the procedure report documents it. Paths as configured; secrets
    /// (password files) by path only, never their contents.
    public var effectiveSettings: [(key: String, value: String)] {
        func listener(_ name: String, _ value: Listener) -> [(String, String)] {
            [("\(name).enabled", "\(value.enabled)"), ("\(name).address", value.address), ("\(name).port", "\(value.port)"),
             ("\(name).proxy_protocol", "\(value.proxyProtocol)"),
             ("\(name).proxy_trusted", value.proxyTrusted.isEmpty ? "(any peer)" : value.proxyTrusted.joined(separator: ", "))]
        }
        func seconds(_ duration: Duration) -> String { "\(duration.components.seconds)" }
        var lines: [(String, String)] = [
            ("data_dir", dataDirectory?.path ?? "(not set: the command line's --data-dir, else ./tresor-data)"),
            ("hostname", hostname),
            ("domains", domains.joined(separator: ", ")),
            ("listen_address", listenAddress),
            ("exports_dir", effectiveExportsFolder.path),
            ("log_format", logFormat.rawValue),
        ]
        lines += listener("smtp", smtp) + listener("submission", submission) + listener("submissions", submissions)
        lines += listener("pop3", pop3) + listener("pop3s", pop3s) + listener("imap", imap) + listener("imaps", imaps)
        lines += listener("managesieve", manageSieve.listener)
        let spamHeader: String = sieve.spamScoreField ?? "(off: spamtest says not tested)"
        let virusHeader: String = sieve.virusField ?? "(off: virustest says not tested)"
        lines += [
            ("sieve.spam_score_header", spamHeader),
            ("sieve.spam_score_max", "\(Int(sieve.spamScoreMaximum))"),
            ("sieve.virus_header", virusHeader),
            ("sieve.virus_infected_values", sieve.infectedValues.joined(separator: ", ")),
        ]
        lines += [
            ("managesieve.max_scripts", "\(manageSieve.maximumScripts)"),
            ("managesieve.max_script_size", "\(manageSieve.maximumScriptSize)"),
            ("tls.certificate", tls.certificate?.path ?? "(self-signed, DATA/tls/)"),
            ("tls.key", tls.key?.path ?? "(self-signed, DATA/tls/)"),
            ("auth.allow_plaintext_on_loopback", "\(auth.allowPlaintextOnLoopback)"),
            ("auth.failure_delay_seconds", seconds(auth.failureDelay)),
            ("auth.login_cache_seconds", seconds(auth.loginCacheLifetime)),
            ("limits.message_size", "\(limits.messageSize)"),
            ("limits.recipients", "\(limits.recipients)"),
            ("limits.connections_per_ip", "\(limits.connectionsPerIP)"),
            ("limits.connections", "\(limits.connections)"),
            ("limits.command_deadline_seconds", seconds(limits.commandDeadline)),
            ("limits.minimum_data_rate", "\(limits.minimumDataRate)"),
            ("limits.spool_threshold", "\(limits.spoolThreshold)"),
            ("limits.in_flight_size", "\(limits.inFlightSize)"),
            ("limits.write_timeout_seconds", seconds(limits.writeTimeout)),
            ("retention_policies", retention.effectiveFolder.path),
            ("retention.auto_purge", "\(retention.autoPurge)"),
            ("retention.require_approval", "\(retention.requireApproval)"),
            ("retention.plan_time", String(format: "%02d:%02d", retention.planMinuteOfDay / 60, retention.planMinuteOfDay % 60)),
            ("access.require_operator", "\(accessControl.requireOperator)"),
            ("archive.seal_key", archive.sealKey?.path ?? "(DATA/keys/)"),
            ("delivery.smarthost", delivery.smarthost.map { "\($0)" } ?? "(none: MX lookup)"),
            ("delivery.require_tls", "\(delivery.requireTLS)"),
            ("delivery.smtp_port", "\(delivery.smtpPort)"),
            ("delivery.workers", "\(delivery.workers)"),
            ("anchor.interval_seconds", seconds(anchor.interval)),
            ("anchor.witness", anchor.witnessAddresses.joined(separator: ", ")),
        ]
        for (index, authority) in anchor.authorities.enumerated() {
            lines += [("anchor.tsa[\(index)].url", authority.url), ("anchor.tsa[\(index)].ca_file", authority.caFile.path)]
        }
        lines += metricsEffectiveSettings
        lines += quotaEffectiveSettings
        lines += filterEffectiveSettings
        lines += authCheckEffectiveSettings
        return lines.map { (key: $0.0, value: $0.1) }
    }
}
