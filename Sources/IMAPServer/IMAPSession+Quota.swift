/// GETQUOTA and GETQUOTAROOT (RFC 9208 §4.2, §4.3). Quotas are set by the administrator
/// (`tresor.toml`, `tresor user quota`), so SETQUOTA is not offered (no QUOTASET capability, §3.2).
extension IMAPSession {
    mutating func quotaFinished(_ tag: String, mailbox: MailboxName?, root: String?, _ result: IMAPOperationResult)
        -> Action
    {
        guard case .quotas(let quotas) = result else {
            if case .failed(let error) = result { return Action([refusal(tag, error)]) }
            return Action([no(tag, "Quota unavailable")])
        }
        if let mailbox {
            // §4.3: "* QUOTAROOT mailbox root…", then one QUOTA response per root.
            let responses: [IMAPResponse] = [.data(.quotaRoot(mailbox, roots: quotas.map(\.root)))]
                + quotas.map { .data(.quota($0)) }
            return complete(tag, text: "GETQUOTAROOT completed", responses: responses, allowExpunge: true)
        }
        // §4.2: a root that does not exist is an error.
        guard let quota = quotas.first else {
            return Action([no(tag, "No quota root \"\(root ?? "")\"", code: .nonExistent)])
        }
        return complete(tag, text: "GETQUOTA completed", responses: [.data(.quota(quota))], allowExpunge: true)
    }
}
