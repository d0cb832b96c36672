import MailStore
import ServiceLifecycle

extension MailServer {
    /// The retention planner (the retention issue fills it in).
    func makeRetentionServices(store: MailStore) throws -> [any Service] { [] }
}
